import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../../platform/errors/index.js';
import { toLocal } from '../../../platform/time/index.js';
import type { SchedulingContext } from '../context.js';
import { SLOT_SEARCH } from '../domain/slot-search.js';
import { searchSchedules } from '../store/schedule-search.js';
import { freeSlots } from '../store/slots.js';
import { toPractitioner } from './appointment.mapper.js';
import { Practitioner, Slot } from './scheduling.types.js';

const MAX_RANGE_DAYS = SLOT_SEARCH.maxRangeDays;

@Resolver(() => Slot)
export class SlotResolver {
  @Query(() => [Slot], {
    description: `Free slots in [from, to) (at most ${MAX_RANGE_DAYS} days), by practitioner, specialty or facility; earliest first.`,
  })
  async availableSlots(
    @Arg('from', () => Date, { description: 'Start of the window (UTC).' }) from: Date,
    @Arg('to', () => Date, { description: 'End of the window (UTC).' }) to: Date,
    @Ctx() ctx: SchedulingContext,
    @Arg('practitionerId', () => ID, { nullable: true, description: 'One practitioner.' })
    practitionerId?: string,
    @Arg('specialty', () => String, { nullable: true, description: 'Exact specialty name.' })
    specialty?: string,
    @Arg('facilityId', () => ID, { nullable: true, description: 'One facility.' })
    facilityId?: string,
    @Arg('first', () => Int, { nullable: true, description: 'How many, 1–200 (default 50).' })
    first?: number,
  ): Promise<Slot[]> {
    const limit = first ?? SLOT_SEARCH.defaultFirst;
    if (!Number.isInteger(limit) || limit < 1 || limit > SLOT_SEARCH.maxFirst)
      throw badInput(`first must be between 1 and ${SLOT_SEARCH.maxFirst}`, 'first');
    if (!(to > from)) throw badInput('to must be after from', 'to');
    if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000)
      throw badInput(`The window may span at most ${MAX_RANGE_DAYS} days`, 'to');
    if (!practitionerId && !specialty && !facilityId)
      throw badInput('Give practitionerId, specialty or facilityId');
    const start = from < ctx.now ? ctx.now : from;
    const schedules = await searchSchedules(ctx.em, { practitionerId, specialty, facilityId });
    const slots = await freeSlots(ctx.em, schedules, { from: start, to }, limit);
    return slots.map((s) =>
      Object.assign(new Slot(), {
        ...s,
        facility: { id: s.facilityId },
        localStart: toLocal(s.start, s.timeZone),
      }),
    );
  }

  @FieldResolver(() => Practitioner, { description: 'The practitioner.' })
  async practitioner(@Root() s: Slot, @Ctx() ctx: SchedulingContext): Promise<Practitioner> {
    const p = await ctx.loaders.practitioner.load(s.practitionerId);
    return p ? toPractitioner(p) : Object.assign(new Practitioner(), { id: s.practitionerId });
  }
}
