import {
  decideFound,
  decideRecords,
  recordEvent,
  requireRecord,
  writeAccess,
  type AccessPolicy,
  type PatientAccessDecision,
  type Permission,
  type WriteAccess,
} from '../../platform/authz/index.js';
import type { AccessEvent } from '../../platform/audit/request-audit.js';
import type { SchedulingContext } from './context.js';

/** The one answer for an appointment the caller may not touch or that does not exist. */
export const NO_ACCESS = 'Not permitted to access this appointment, or it does not exist';

/** One appointment access to decide: whose data, with which practitioner. */
export interface AppointmentSubject {
  patientId: string;
  practitionerId?: string;
}

/**
 * Access to appointment data: the kernel's shared facts (care team,
 * break-the-glass, consent) plus one fact of scheduling's own, by name: the
 * clinician of an appointment reaches that appointment (and may book with
 * themselves) without being on the patient's care team.
 */
export const appointmentPolicy = (permission: Permission): AccessPolicy<AppointmentSubject> => ({
  dataClass: 'Appointment',
  permission,
  compartment: {
    'appointment-clinician': (p, s) =>
      p.practitionerId !== undefined && s.practitionerId === p.practitionerId,
  },
});

/** Decides access to appointment data per subject, one batch of facts for all. */
export function decideAppointments(
  ctx: SchedulingContext,
  subjects: readonly AppointmentSubject[],
  permission: Permission,
): Promise<PatientAccessDecision[]> {
  return decideRecords(ctx, subjects, appointmentPolicy(permission));
}

/** The audit event for one appointment access. */
export function appointmentEvent(
  patientId: string,
  d: PatientAccessDecision,
  action: AccessEvent['action'],
  appointmentId?: string,
): AccessEvent {
  return recordEvent(patientId, d, 'Appointment', action, appointmentId);
}

/** Authorises one access, auditing (and committing) a refusal before FORBIDDEN. */
export function requireAppointmentAccess(
  ctx: SchedulingContext,
  subject: AppointmentSubject,
  permission: Permission,
  action: AccessEvent['action'],
  appointmentId?: string,
): Promise<PatientAccessDecision> {
  return requireRecord(
    ctx,
    subject,
    appointmentPolicy(permission),
    action,
    NO_ACCESS,
    appointmentId,
  );
}

/**
 * A write's access to appointment data, decided inside the write's
 * transaction by `auditedWrite` (the patient's facts lock held to
 * commit); a refusal is audited and answers FORBIDDEN with `NO_ACCESS`.
 */
export function appointmentWrite(
  ctx: SchedulingContext,
  subject: AppointmentSubject,
  permission: Permission,
  action: AccessEvent['action'],
  appointmentId?: string,
): WriteAccess {
  return writeAccess(ctx, subject, appointmentPolicy(permission), action, NO_ACCESS, appointmentId);
}

/**
 * Decides and audits an access to an appointment by id, found or not, on
 * one path (the kernel's `decideFound`): a missing one costs and answers
 * what a refused one does.
 */
export function decideAppointment<S extends AppointmentSubject>(
  ctx: SchedulingContext,
  id: string,
  appointment: S | undefined,
  permission: Permission,
  action: AccessEvent['action'],
): Promise<PatientAccessDecision> {
  return decideFound(ctx, appointment, appointmentPolicy(permission), action, id);
}
