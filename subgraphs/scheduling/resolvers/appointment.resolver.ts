import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, badInput } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { calendarDate } from '../../../platform/federation/validators.js';
import { decideAppointment, NO_ACCESS } from '../access.js';
import type { SchedulingContext } from '../context.js';
import { AppointmentRecord, PractitionerRecord } from '../entities/index.js';
import type { AppointmentStatus } from '../domain/status.js';
import { bookAppointment, reschedule, transition } from '../store/booking.js';
import { readableAppointments } from '../store/appointment-reads.js';
import { SCHEMA } from '../store/appointment-writes.js';
import { toAppointment, toPractitioner } from './appointment.mapper.js';
import { BookAppointmentInput } from './appointment.inputs.js';
import { Appointment, Practitioner } from './scheduling.types.js';

const keyArg = {
  description:
    'A key of the caller’s choosing (8–128 characters); a retry with the same key changes nothing twice.',
};

function isoDate(date: string, field: string): void {
  if (!calendarDate(date)) throw badInput(`${field} must be a date YYYY-MM-DD`, field);
}

@Resolver(() => Appointment)
export class AppointmentResolver {
  @Query(() => Appointment, {
    nullable: true,
    description: 'One appointment, if the caller may see it.',
  })
  async appointment(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: SchedulingContext,
  ): Promise<Appointment> {
    const uuid = requireUuid(id);
    const record = (await ctx.loaders.appointment.load(uuid)) ?? undefined;
    // Missing or refused: decided and audited on one path, one answer (no existence by timing).
    const decision = await decideAppointment(ctx, uuid, record, 'r', 'read');
    if (!record || !decision.allowed) throw forbidden(NO_ACCESS);
    return toAppointment(record);
  }

  @Query(() => [Appointment], {
    description:
      'A practitioner’s appointments on one day of their facility’s calendar, in time order (a clinician may ask only for their own).',
  })
  async practitionerDay(
    @Arg('practitionerId', () => ID) practitionerId: string,
    @Arg('date', () => String, {
      description: 'Local date YYYY-MM-DD in the practitioner’s time zone.',
    })
    date: string,
    @Ctx() ctx: SchedulingContext,
  ): Promise<Appointment[]> {
    isoDate(date, 'date');
    const p = ctx.principal;
    const staff = p.roles.some((r) => r === 'scheduler' || r === 'admin');
    if (!staff && p.practitionerId !== practitionerId)
      throw forbidden('Clinicians may list only their own day');
    // A day on any wall clock lies within 14 hours either side of UTC midnight.
    const from = new Date(Date.parse(`${date}T00:00:00Z`) - 14 * 3_600_000);
    const to = new Date(Date.parse(`${date}T00:00:00Z`) + 38 * 3_600_000);
    const rows = await ctx.em.find(
      AppointmentRecord,
      { practitionerId, startsAt: { $gte: from, $lt: to } },
      { orderBy: { startsAt: 'asc' } },
    );
    const onDay = rows.filter((a) => toAppointment(a).localStart.startsWith(date));
    return (await readableAppointments(ctx, onDay, 'search')).map(toAppointment);
  }

  @Mutation(() => Appointment, {
    description:
      'Books a free slot. Two bookings of one slot: one wins, the other gets SLOT_TAKEN with the next free slots.',
  })
  async bookAppointment(
    @Arg('input', () => BookAppointmentInput) input: BookAppointmentInput,
    @Ctx() ctx: SchedulingContext,
  ): Promise<Appointment> {
    return toAppointment(
      await bookAppointment(ctx, {
        ...input,
        patientId: requireUuid(input.patientId, 'patientId'),
      }),
    );
  }

  @Mutation(() => Appointment, {
    description: 'Moves a booked appointment to another free slot of the same practitioner.',
  })
  async rescheduleAppointment(
    @Arg('id', () => ID) id: string,
    @Arg('start', () => Date, { description: 'Start of the new slot.' }) start: Date,
    @Arg('idempotencyKey', () => String, keyArg) idempotencyKey: string,
    @Ctx() ctx: SchedulingContext,
  ): Promise<Appointment> {
    return toAppointment(await reschedule(ctx, requireUuid(id), start, idempotencyKey));
  }

  @Mutation(() => Appointment, {
    description: 'Cancels an appointment (proposed, booked or arrived).',
  })
  cancelAppointment(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, keyArg) key: string,
    @Ctx() ctx: SchedulingContext,
  ) {
    return this.move(ctx, id, 'cancelled', key);
  }

  @Mutation(() => Appointment, { description: 'The patient has arrived (booked → arrived).' })
  checkIn(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, keyArg) key: string,
    @Ctx() ctx: SchedulingContext,
  ) {
    return this.move(ctx, id, 'arrived', key);
  }

  @Mutation(() => Appointment, { description: 'The visit took place (arrived → fulfilled).' })
  completeAppointment(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, keyArg) key: string,
    @Ctx() ctx: SchedulingContext,
  ) {
    return this.move(ctx, id, 'fulfilled', key);
  }

  @Mutation(() => Appointment, { description: 'The patient did not come (booked → noshow).' })
  markNoShow(
    @Arg('id', () => ID) id: string,
    @Arg('idempotencyKey', () => String, keyArg) key: string,
    @Ctx() ctx: SchedulingContext,
  ) {
    return this.move(ctx, id, 'noshow', key);
  }

  private async move(
    ctx: SchedulingContext,
    id: string,
    to: AppointmentStatus,
    key: string,
  ): Promise<Appointment> {
    return toAppointment(await transition(ctx, requireUuid(id), to, key));
  }

  @FieldResolver(() => Practitioner, { description: 'The practitioner.' })
  async practitioner(@Root() a: Appointment, @Ctx() ctx: SchedulingContext): Promise<Practitioner> {
    const p = await ctx.loaders.practitioner.load(a.practitionerId);
    return p ? toPractitioner(p) : Object.assign(new Practitioner(), { id: a.practitionerId });
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Why the patient comes (clinical detail: not for the front desk).',
  })
  async reason(@Root() a: Appointment, @Ctx() ctx: SchedulingContext): Promise<string | null> {
    if (!a.reasonCipher) return null;
    return ctx.services.cipher.decrypt(ctx.em, a.reasonCipher, {
      table: `${SCHEMA}.appointment`,
      column: 'reason',
      rowId: a.id,
    });
  }
}

/** Practitioners (public directory data). */
@Resolver(() => Practitioner)
export class PractitionerResolver {
  @Query(() => Practitioner, { nullable: true, description: 'One practitioner.' })
  async practitioner(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: SchedulingContext,
  ): Promise<Practitioner | null> {
    const p = await ctx.loaders.practitioner.load(id);
    return p ? toPractitioner(p) : null;
  }

  @Query(() => [Practitioner], {
    description: 'Practitioners, optionally by specialty (exact name) or facility; at most 100.',
  })
  async practitioners(
    @Ctx() ctx: SchedulingContext,
    @Arg('specialty', () => String, { nullable: true }) specialty?: string,
    @Arg('facilityId', () => ID, { nullable: true }) facilityId?: string,
  ): Promise<Practitioner[]> {
    const rows = await ctx.em.find(
      PractitionerRecord,
      { active: true },
      { orderBy: { family: 'asc' } },
    );
    return rows
      .filter(
        (p) =>
          (!specialty || p.specialties.includes(specialty)) &&
          (!facilityId || p.facilityIds.includes(facilityId)),
      )
      .slice(0, 100)
      .map(toPractitioner);
  }
}
