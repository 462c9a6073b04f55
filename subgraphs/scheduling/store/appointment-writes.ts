import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { WriteAccess } from '../../../platform/authz/index.js';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { publishInBatch } from '../../../platform/events/contract.js';
import { faultPoint } from '../../../platform/testing/fault-points.js';
import type { SchedulingContext } from '../context.js';
import { AppointmentRecord } from '../entities/index.js';
import {
  appointmentOf,
  insertAppointment,
  lockAppointmentPart,
  updateAppointment,
} from './appointment-rows.js';
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

/**
 * What one guarded write does inside its transaction: given the appointment
 * as it now stands (read fresh under its row lock, for a change), the
 * appointment to write and the event to publish. `from` is the version it
 * changes (absent for a new appointment). The rows go out in the write's one
 * statement, not here.
 */
export type WriteStep = (
  em: EntityManager,
  current: AppointmentRecord | undefined,
) => Promise<{ appointment: AppointmentRecord; from?: number; event?: AppointmentEventContract }>;

/**
 * Runs one appointment write exactly once per idempotency key, through the
 * platform's one audited write: the claim, the business rows and a version
 * row, the event (outbox + jobs) and the audit entry commit together or not
 * at all, in few round trips (the rows, version, outbox, jobs, claim
 * completion and audit entry in one statement). A retry with the same key
 * returns the appointment the first attempt produced, audited as a read.
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
    /** The appointment a change reads, locked, in the write's first statement. */
    changes?: string;
  },
  step: WriteStep,
): Promise<AppointmentRecord> {
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
      ...(opts.changes ? { prefetch: lockAppointmentPart(opts.changes) } : {}),
      write: async (em, batch, rows) => {
        const current = rows[0] ? appointmentOf(rows[0]) : undefined;
        if (opts.changes && !current) throw new Error('The appointment to change vanished');
        const { appointment: a, from, event } = await step(em, current);
        const recorded = { versionId: randomUUID(), by: ctx.principal.sub, at: ctx.now };
        if (from === undefined) insertAppointment(batch, a, recorded);
        else updateAppointment(batch, a, from, recorded);
        if (event)
          publishInBatch(batch, SCHEMA, event, eventData(a), ctx.services.consumersOf(event.type), {
            occurredAt: ctx.now,
          });
        return { id: a.id, result: a };
      },
      replay: (em, id) => em.findOneOrFail(AppointmentRecord, { id }),
    },
  );
  // Committed but not yet answered: where a crash tests the idempotency key.
  faultPoint(`after-commit:${opts.operation}`);
  return written;
}
