import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { badInput, forbidden } from '../../../platform/errors/index.js';
import { appointmentWrite, decideAppointment, NO_ACCESS } from '../access.js';
import type { SchedulingContext } from '../context.js';
import {
  APPOINTMENT_EVENTS,
  type AppointmentEventContract,
} from '../../contracts/appointment-events.js';
import { canReschedule, canTransition, type AppointmentStatus } from '../domain/status.js';
import { AppointmentRecord, type ScheduleRecord } from '../entities/index.js';
import { freeSlots, slotAt } from './slots.js';
import { enforceBookingCaps, partnerClientOf } from './booking-caps.js';
import { guardedWrite, SCHEMA } from './appointment-writes.js';

const SUGGESTIONS = 3;

/** SLOT_TAKEN, with the next free slots of the same practitioner to offer instead. */
async function slotTaken(
  ctx: SchedulingContext,
  schedule: ScheduleRecord,
  after: Date,
): Promise<GraphQLError> {
  const next = await freeSlots(
    ctx.em.fork(),
    [schedule],
    { from: after, to: new Date(after.getTime() + 14 * 86_400_000) },
    SUGGESTIONS,
  );
  return new GraphQLError('That time was just taken; choose one of the next free slots', {
    extensions: {
      code: 'SLOT_TAKEN',
      nextFreeSlots: next.map((s) => ({ start: s.start.toISOString(), end: s.end.toISOString() })),
    },
  });
}

const isExclusionViolation = (err: unknown): boolean =>
  (err as { code?: string } | null)?.code === '23P01';

/** The practitioner's schedule with a slot starting exactly at `start`, or BAD_USER_INPUT. */
async function scheduleWithSlot(
  ctx: SchedulingContext,
  practitionerId: string,
  start: Date,
): Promise<ScheduleRecord> {
  if (start.getTime() <= ctx.now.getTime()) throw badInput('start must be in the future', 'start');
  const schedules = await ctx.loaders.schedules.load(practitionerId);
  const schedule = schedules.find((s) => slotAt(s, start));
  if (!schedule)
    throw badInput('start is not the start of one of this practitioner’s slots', 'start');
  return schedule;
}

export interface BookRequest {
  patientId: string;
  practitionerId: string;
  start: Date;
  reason?: string;
  idempotencyKey: string;
}

/** Books a slot for a patient: the exclusion constraint decides races; the loser gets SLOT_TAKEN. */
export async function bookAppointment(
  ctx: SchedulingContext,
  req: BookRequest,
): Promise<AppointmentRecord> {
  if (!(await ctx.loaders.practitioner.load(req.practitionerId)))
    throw badInput('Unknown practitioner', 'practitionerId');
  const schedule = await scheduleWithSlot(ctx, req.practitionerId, req.start);
  const slot = slotAt(schedule, req.start)!;
  try {
    return await guardedWrite(
      ctx,
      {
        operation: 'bookAppointment',
        request: { ...req, start: req.start.toISOString() },
        idempotencyKey: req.idempotencyKey,
        access: appointmentWrite(ctx, req, 'c', 'create'),
        patientId: req.patientId,
        action: 'create',
      },
      async (em) => {
        await enforceBookingCaps(
          em,
          ctx.principal,
          req.patientId,
          ctx.now,
          ctx.services.bookingCaps,
        );
        const id = randomUUID();
        const appointment = Object.assign(new AppointmentRecord(), {
          id,
          patientId: req.patientId,
          practitionerId: req.practitionerId,
          facilityId: schedule.facilityId,
          timeZone: schedule.timeZone,
          startsAt: slot.start,
          endsAt: slot.end,
          status: 'booked',
          reason: req.reason
            ? await ctx.services.cipher.encrypt(em, req.reason, {
                table: `${SCHEMA}.appointment`,
                column: 'reason',
                rowId: id,
              })
            : null,
          version: 1,
          createdAt: ctx.now,
          updatedAt: ctx.now,
          createdBy: ctx.principal.sub,
          bookedByClient: partnerClientOf(ctx.principal),
        });
        return { appointment, event: APPOINTMENT_EVENTS.booked };
      },
    );
  } catch (err) {
    if (isExclusionViolation(err)) throw await slotTaken(ctx, schedule, slot.start);
    throw err;
  }
}

/**
 * Loads an appointment to change and how the write decides access to it (in
 * its transaction); a missing one is decided and audited as refused, then
 * FORBIDDEN, on the path a refused one takes.
 */
async function changeable(ctx: SchedulingContext, id: string) {
  const appointment = await ctx.loaders.appointment.load(id);
  if (!appointment) {
    await decideAppointment(ctx, id, undefined, 'u', 'update');
    throw forbidden(NO_ACCESS);
  }
  return { appointment, access: appointmentWrite(ctx, appointment, 'u', 'update', appointment.id) };
}

/** The next version of an appointment read under its row lock, with `patch` applied. */
function nextVersion(
  ctx: SchedulingContext,
  current: AppointmentRecord,
  patch: Partial<
    Pick<AppointmentRecord, 'status' | 'startsAt' | 'endsAt' | 'facilityId' | 'timeZone'>
  >,
): { appointment: AppointmentRecord; from: number } {
  const appointment = Object.assign(new AppointmentRecord(), current, patch, {
    version: current.version + 1,
    updatedAt: ctx.now,
  });
  return { appointment, from: current.version };
}

function invalidTransition(from: AppointmentStatus, to: AppointmentStatus): GraphQLError {
  return new GraphQLError(`An appointment that is ${from} cannot become ${to}`, {
    extensions: { code: 'INVALID_TRANSITION', from, to },
  });
}

const EVENT_OF: Partial<Record<AppointmentStatus, AppointmentEventContract>> = {
  cancelled: APPOINTMENT_EVENTS.cancelled,
  arrived: APPOINTMENT_EVENTS.arrived,
  fulfilled: APPOINTMENT_EVENTS.completed,
  noshow: APPOINTMENT_EVENTS.noShow,
};

/** Moves an appointment to another status, if the transition is allowed. */
export async function transition(
  ctx: SchedulingContext,
  id: string,
  to: AppointmentStatus,
  idempotencyKey: string,
): Promise<AppointmentRecord> {
  const { appointment, access } = await changeable(ctx, id);
  return guardedWrite(
    ctx,
    {
      operation: `transition:${to}`,
      request: { id, to },
      idempotencyKey,
      access,
      patientId: appointment.patientId,
      action: 'update',
      changes: id,
    },
    (_em, current) => {
      if (!canTransition(current!.status, to)) throw invalidTransition(current!.status, to);
      return Promise.resolve({
        ...nextVersion(ctx, current!, { status: to }),
        event: EVENT_OF[to],
      });
    },
  );
}

/** Moves a booked appointment to another free slot of the same practitioner. */
export async function reschedule(
  ctx: SchedulingContext,
  id: string,
  start: Date,
  idempotencyKey: string,
): Promise<AppointmentRecord> {
  const { appointment, access } = await changeable(ctx, id);
  const schedule = await scheduleWithSlot(ctx, appointment.practitionerId, start);
  const slot = slotAt(schedule, start)!;
  try {
    return await guardedWrite(
      ctx,
      {
        operation: 'rescheduleAppointment',
        request: { id, start: start.toISOString() },
        idempotencyKey,
        access,
        patientId: appointment.patientId,
        action: 'update',
        changes: id,
      },
      (_em, current) => {
        if (!canReschedule(current!.status)) throw invalidTransition(current!.status, 'booked');
        const moved = nextVersion(ctx, current!, {
          startsAt: slot.start,
          endsAt: slot.end,
          facilityId: schedule.facilityId,
          timeZone: schedule.timeZone,
        });
        return Promise.resolve({ ...moved, event: APPOINTMENT_EVENTS.rescheduled });
      },
    );
  } catch (err) {
    if (isExclusionViolation(err)) throw await slotTaken(ctx, schedule, slot.start);
    throw err;
  }
}
