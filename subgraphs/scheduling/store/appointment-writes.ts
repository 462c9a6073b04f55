import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { WriteAccess } from '../../../platform/authz/index.js';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { publish } from '../../../platform/events/contract.js';
import { faultPoint } from '../../../platform/testing/fault-points.js';
import type { SchedulingContext } from '../context.js';
import { AppointmentRecord, AppointmentVersion } from '../entities/index.js';
import type {
  AppointmentEventContract,
  AppointmentEventData,
} from '../../contracts/appointment-events.js';

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
) => Promise<{ appointment: AppointmentRecord; event?: AppointmentEventContract }>;

/**
 * Runs one appointment write exactly once per idempotency key, through the
 * platform's one audited write: the claim, the business rows and a version
 * row, the event (outbox + jobs) and the audit entry commit together or not
 * at all. A retry with the same key returns the appointment the first attempt
 * produced, audited as a read.
 */
export async function guardedWrite(
  ctx: SchedulingContext,
  opts: {
    operation: string;
    request: unknown;
    idempotencyKey: string;
    /** Decided inside the write's transaction. */
    access: WriteAccess;
    patientId: string;
    action: 'create' | 'update';
  },
  step: WriteStep,
): Promise<AppointmentRecord> {
  let event: AppointmentEventContract | undefined;
  const written = await auditedWrite(
    ctx,
    {
      decision: opts.access,
      patientId: opts.patientId,
      dataClass: 'Appointment',
      action: opts.action,
    },
    {
      idempotency: {
        schema: SCHEMA,
        key: opts.idempotencyKey,
        operation: opts.operation,
        request: opts.request,
      },
      write: async (em) => {
        const done = await step(em);
        event = done.event;
        const a = done.appointment;
        em.persist(
          em.create(AppointmentVersion, {
            id: randomUUID(),
            appointmentId: a.id,
            version: a.version,
            status: a.status,
            startsAt: a.startsAt,
            endsAt: a.endsAt,
            recordedAt: ctx.now,
            recordedBy: ctx.principal.sub,
          }),
        );
        await em.flush();
        return { id: a.id, result: a };
      },
      replay: (em, id) => em.findOneOrFail(AppointmentRecord, { id }),
      publish: async (em, a) => {
        if (event)
          await publish(em, SCHEMA, event, eventData(a), ctx.services.consumersOf(event.type), {
            occurredAt: ctx.now,
          });
      },
    },
  );
  // Committed but not yet answered: where a crash tests the idempotency key.
  faultPoint(`after-commit:${opts.operation}`);
  return written;
}
