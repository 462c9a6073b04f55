import {
  consentRecordOf,
  decidePatientAccess,
  type ConsentRecord,
  type PatientAccessDecision,
  type Permission,
} from '../../platform/authz/index.js';
import {
  decisionEvent,
  recordAccess,
  type AccessEvent,
} from '../../platform/audit/request-audit.js';
import { forbidden } from '../../platform/errors/index.js';
import type { SchedulingContext } from './context.js';
import type { ConsentProjection } from './entities/index.js';

/** The one answer for an appointment the caller may not touch or that does not exist. */
export const NO_ACCESS = 'Not permitted to access this appointment, or it does not exist';

/** A projected consent as the policy core reads it. */
export const toConsentRecord = (c: ConsentProjection): ConsentRecord => consentRecordOf(c);

/** One appointment access to decide: whose data, with which practitioner. */
export interface AppointmentSubject {
  patientId: string;
  practitionerId?: string;
}

/**
 * Decides access to appointment data per patient: role and SMART scope, the
 * compartment (a patient their own; a clinician appointments with them and
 * the appointments of patients they see; the front desk and admins anyone)
 * and the patient's consent as projected from the patient subgraph. Facts
 * load in one batch per kind.
 */
export async function decideAppointments(
  ctx: SchedulingContext,
  subjects: readonly AppointmentSubject[],
  permission: Permission,
): Promise<PatientAccessDecision[]> {
  const { principal, loaders, now } = ctx;
  const patientIds = subjects.map((s) => s.patientId);
  const [consents, seen] = await Promise.all([
    Promise.all(patientIds.map((id) => loaders.consents.load(id))),
    Promise.all(patientIds.map((id) => loaders.seenByMe.load(id))),
  ]);
  return subjects.map((s, i) =>
    decidePatientAccess({
      principal,
      patientId: s.patientId,
      dataClass: 'Appointment',
      permission,
      careTeam:
        principal.practitionerId !== undefined &&
        (s.practitionerId === principal.practitionerId || seen[i] === true),
      consents: (consents[i] ?? []).map(toConsentRecord),
      now,
      roleAllows: true,
    }),
  );
}

/** The audit event for one appointment access. */
export function appointmentEvent(
  patientId: string,
  d: PatientAccessDecision,
  action: AccessEvent['action'],
  appointmentId?: string,
): AccessEvent {
  return decisionEvent(d, {
    patientId,
    resourceType: 'Appointment',
    resourceId: appointmentId,
    action,
  });
}

/** Authorises one access, auditing (and committing) a refusal before FORBIDDEN. */
export async function requireAppointmentAccess(
  ctx: SchedulingContext,
  subject: AppointmentSubject,
  permission: Permission,
  action: AccessEvent['action'],
  appointmentId?: string,
): Promise<PatientAccessDecision> {
  const [decision] = await decideAppointments(ctx, [subject], permission);
  if (!decision!.allowed) {
    await recordAccess(ctx, [
      appointmentEvent(subject.patientId, decision!, action, appointmentId),
    ]);
    throw forbidden(NO_ACCESS);
  }
  return decision!;
}
