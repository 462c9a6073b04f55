import { generateSlots, slotsInOrder, type ScheduleRule } from '../../../platform/time/index.js';
import type { Slot } from '../../../platform/time/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { groupBy } from '../../../platform/data/group-by.js';
import { badInput } from '../../../platform/errors/index.js';
import { AppointmentRecord, type ScheduleRecord } from '../entities/index.js';
import { HOLDS_TIME } from '../domain/status.js';

/** A bookable slot of one practitioner at one facility. */
export interface FreeSlot {
  practitionerId: string;
  facilityId: string;
  timeZone: string;
  start: Date;
  end: Date;
}

export const ruleOf = (s: ScheduleRecord): ScheduleRule => ({
  timeZone: s.timeZone,
  weekly: s.weekly,
  slotMinutes: s.slotMinutes,
  exceptions: s.exceptions,
});

/** Slots one search may look at (free or held) before it gives up: bounds its CPU. */
export const MAX_SLOTS_EXAMINED = 50_000;

/** How far ahead held appointments are read at a time, as the search moves through time. */
const HELD_WINDOW_MS = 7 * 86_400_000;

type Held = Pick<AppointmentRecord, 'startsAt' | 'endsAt'>;

/** One schedule's slots, taken lazily, with a cursor into its practitioner's held times. */
interface Lane {
  schedule: ScheduleRecord;
  slots: Iterator<Slot>;
  next: Slot | undefined;
  busy: Held[];
  at: number;
}

/**
 * The first `limit` free slots of the given schedules in `[from, to)`, earliest first (ties by
 * practitioner id): every slot the schedules generate (time-zone and daylight-saving correct)
 * minus the time held by booked, arrived or fulfilled appointments.
 *
 * The work is bounded by what is asked: each schedule's slots are laid out lazily and merged
 * in time order, the search stops at the `limit`-th free slot, held appointments are read a
 * week at a time only as far as the search has got, and a search that would examine more
 * than {@link MAX_SLOTS_EXAMINED} slots is refused. When the page is full and further slots
 * start at the same time as its last, that time is left for the next page, so that the next
 * page can start just after the last slot's start (unless the whole page starts at once).
 */
export async function freeSlots(
  em: EntityManager,
  schedules: readonly ScheduleRecord[],
  range: { from: Date; to: Date },
  limit = 500,
): Promise<FreeSlot[]> {
  if (schedules.length === 0 || limit < 1) return [];
  const lanes: Lane[] = schedules.map((schedule) => {
    const slots = slotsInOrder(ruleOf(schedule), range);
    return { schedule, slots, next: slots.next().value as Slot | undefined, busy: [], at: 0 };
  });
  const held = heldReader(
    em,
    [...new Set(schedules.map((s) => s.practitionerId))],
    range,
    (practitionerId, rows) => {
      for (const lane of lanes)
        if (lane.schedule.practitionerId === practitionerId) lane.busy.push(...rows);
    },
  );
  const out: FreeSlot[] = [];
  let examined = 0;
  for (;;) {
    const lane = earliest(lanes);
    if (!lane?.next) break;
    const slot = lane.next;
    if (out.length >= limit) {
      if (slot.start.getTime() === out.at(-1)!.start.getTime()) trimLastStart(out);
      break;
    }
    if (++examined > MAX_SLOTS_EXAMINED)
      throw badInput(
        'This search covers too many booked slots: narrow it by practitioner or facility, or shorten the window',
      );
    await held.through(slot.end);
    if (!isHeld(lane, slot)) out.push(freeSlot(lane.schedule, slot));
    lane.next = lane.slots.next().value as Slot | undefined;
  }
  return out;
}

/** The lane whose next slot starts first (ties: practitioner id), if any has one left. */
function earliest(lanes: readonly Lane[]): Lane | undefined {
  let best: Lane | undefined;
  for (const lane of lanes) {
    if (!lane.next) continue;
    if (
      !best?.next ||
      lane.next.start < best.next.start ||
      (lane.next.start.getTime() === best.next.start.getTime() &&
        lane.schedule.practitionerId < best.schedule.practitionerId)
    )
      best = lane;
  }
  return best;
}

/** Whether held time overlaps the slot; slots come in start order, so the cursor only moves on. */
function isHeld(lane: Lane, slot: Slot): boolean {
  while (lane.at < lane.busy.length && lane.busy[lane.at]!.endsAt <= slot.start) lane.at++;
  // Held times of one practitioner never overlap (the exclusion constraint), so the first one
  // not yet over is the only one that can overlap.
  const next = lane.busy[lane.at];
  return next !== undefined && next.startsAt < slot.end;
}

/** Drops the slots that share the last slot's start, unless that would empty the page. */
function trimLastStart(out: FreeSlot[]): void {
  const last = out.at(-1)!.start.getTime();
  const keep = out.findIndex((s) => s.start.getTime() === last);
  if (keep > 0) out.length = keep;
}

const freeSlot = (s: ScheduleRecord, slot: Slot): FreeSlot => ({
  practitionerId: s.practitionerId,
  facilityId: s.facilityId,
  timeZone: s.timeZone,
  ...slot,
});

/**
 * Reads held appointments of the practitioners in `range` a window at a time, in start order,
 * handing each practitioner's rows on; `through(t)` makes sure every appointment starting
 * before `t` has been read. One SQL statement per window, however many practitioners.
 */
function heldReader(
  em: EntityManager,
  practitionerIds: string[],
  range: { from: Date; to: Date },
  add: (practitionerId: string, rows: Held[]) => void,
) {
  let readUntil = range.from.getTime();
  let first = true;
  return {
    async through(t: Date): Promise<void> {
      while (readUntil < t.getTime() && readUntil < range.to.getTime()) {
        const until = Math.min(readUntil + HELD_WINDOW_MS, range.to.getTime());
        const rows = await em.find(
          AppointmentRecord,
          {
            practitionerId: { $in: practitionerIds },
            status: { $in: [...HOLDS_TIME] },
            // The first window also takes what started earlier and is still running.
            ...(first
              ? { endsAt: { $gt: range.from }, startsAt: { $lt: new Date(until) } }
              : { startsAt: { $gte: new Date(readUntil), $lt: new Date(until) } }),
          },
          { fields: ['practitionerId', 'startsAt', 'endsAt'], orderBy: { startsAt: 'asc' } },
        );
        const grouped = groupBy(practitionerIds, rows, (r) => r.practitionerId);
        practitionerIds.forEach((id, i) => add(id, grouped[i]!));
        readUntil = until;
        first = false;
      }
    },
  };
}

/** The slot of `schedule` starting exactly at `start`, if it is one. */
export function slotAt(
  schedule: ScheduleRecord,
  start: Date,
): { start: Date; end: Date } | undefined {
  const end = new Date(start.getTime() + schedule.slotMinutes * 60_000);
  return generateSlots(ruleOf(schedule), { from: start, to: end }).find(
    (s) => s.start.getTime() === start.getTime(),
  );
}
