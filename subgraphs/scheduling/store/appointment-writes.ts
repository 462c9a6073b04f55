import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PatientAccessDecision } from '../../../platform/authz/index.js';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  requestHash,
} from '../../../platform/db/idempotency.js';
import { publishEvent } from '../../../platform/events/publish.js';
import { faultPoint } from '../../../platform/testing/fault-points.js';
import { appointmentEvent } from '../access.js';
import type { SchedulingContext } from '../context.js';
import { AppointmentRecord, AppointmentVersion } from '../entities/index.js';
import type { AppointmentEventData, AppointmentEventType } from '../domain/events.js';

export const SCHEMA = 'scheduling';

/** Event data of an appointment as it now stands. */
export function eventData(a: AppointmentRecord): AppointmentEventData {
  return {
    appointmentId: a.id,
    patientId: a.patientId,
    practitionerId: a.practitionerId,
    facilityId: a.facilityId,
    status: a.status,
    start: a.startsAt.toISOString(),
    end: a.endsAt.toISOString(),
    version: a.version,
  };
}

/** What one guarded write does inside its transaction; returns the appointment and the event to publish. */
export type WriteStep = (
  em: EntityManager,
) => Promise<{ appointment: AppointmentRecord; event?: AppointmentEventType }>;

/**
 * Runs one appointment write exactly once per idempotency key: the claim, the
 * business rows, a version row, the audit entry and the event (outbox + jobs)
 * commit together or not at all. A retry with the same key returns the
 * appointment the first attempt produced, audited as a read.
 */
export async function guardedWrite(
  ctx: SchedulingContext,
  opts: {
    operation: string;
    request: unknown;
    idempotencyKey: string;
    decision: PatientAccessDecision;
    patientId: string;
    action: 'create' | 'update';
  },
  step: WriteStep,
): Promise<AppointmentRecord> {
  const principal = ctx.principal.sub;
  const written = await ctx.em.transactional(async (em) => {
    const claim = await claimIdempotencyKey(em, SCHEMA, {
      principal,
      key: opts.idempotencyKey,
      operation: opts.operation,
      requestHash: requestHash(opts.operation, opts.request),
    });
    const tx = { ...ctx, em };
    if (!claim.fresh) {
      const earlier = await em.findOneOrFail(AppointmentRecord, { id: claim.resultId });
      await recordAccess(tx, [
        appointmentEvent(earlier.patientId, opts.decision, 'read', earlier.id),
      ]);
      return earlier;
    }
    const { appointment, event } = await step(em);
    em.persist(
      em.create(AppointmentVersion, {
        id: randomUUID(),
        appointmentId: appointment.id,
        version: appointment.version,
        status: appointment.status,
        startsAt: appointment.startsAt,
        endsAt: appointment.endsAt,
        recordedAt: ctx.now,
        recordedBy: principal,
      }),
    );
    await em.flush();
    await completeIdempotencyKey(em, SCHEMA, principal, opts.idempotencyKey, appointment.id);
    await recordAccess(tx, [
      appointmentEvent(opts.patientId, opts.decision, opts.action, appointment.id),
    ]);
    if (event)
      await publishEvent(
        em,
        SCHEMA,
        {
          type: event,
          aggregateId: appointment.id,
          data: eventData(appointment),
          occurredAt: ctx.now,
        },
        ctx.services.consumersOf(event),
      );
    return appointment;
  });
  // Committed but not yet answered: where a crash tests the idempotency key.
  faultPoint(`after-commit:${opts.operation}`);
  return written;
}
