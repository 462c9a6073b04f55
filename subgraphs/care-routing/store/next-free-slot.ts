import type { EntityManager } from '@mikro-orm/postgresql';
import {
  MAX_RANGE_DAYS,
  slotsInOrder,
  type ScheduleException,
  type Slot,
  type WeeklyHours,
} from '../../../platform/time/index.js';

/** The earliest free slot at a facility. */
export interface NextFreeSlot {
  start: Date;
  end: Date;
  practitionerId: string;
  /** The specialty asked for (as the practitioner lists it), else their first; null if none. */
  specialty: string | null;
}

/** What `nextFreeSlots` looks for. */
export interface NextFreeSlotQuery {
  /** Canonical facility ids. */
  facilityIds: readonly string[];
  /** Only practitioners with this specialty (exact but for case). */
  specialty?: string;
  /** The earliest start. */
  from: Date;
  /** How far ahead to look (default {@link DEFAULT_HORIZON_DAYS}). */
  horizonDays?: number;
}

export const DEFAULT_HORIZON_DAYS = 31;
/** Slots (free or held) one facility's search looks at before it gives up: bounds its CPU. */
export const MAX_SLOTS_PER_FACILITY = 2_000;

interface ScheduleRow {
  facilityId: string;
  practitionerId: string;
  specialties: string[];
  timeZone: string;
  slotMinutes: number;
  weekly: WeeklyHours;
  exceptions: ScheduleException[];
}

interface Held {
  start: number;
  end: number;
}

/** One schedule's slots, taken lazily, with a cursor into its practitioner's held times. */
interface Lane {
  schedule: ScheduleRow;
  slots: Iterator<Slot>;
  next: Slot | undefined;
  held: readonly Held[];
  at: number;
}

/** The active schedules at the facilities' Location ids, with the specialty when given: one statement. */
function schedulesAt(
  em: EntityManager,
  facilityIds: readonly string[],
  specialty: string | null,
): Promise<ScheduleRow[]> {
  return em.execute<ScheduleRow[]>(
    `SELECT l.facility_id AS "facilityId", sp.practitioner_id AS "practitionerId", sp.specialties,
            sp.time_zone AS "timeZone", sp.slot_minutes AS "slotMinutes", sp.weekly, sp.exceptions
       FROM facility_location l
       JOIN schedule_projection sp ON sp.location_id = l.location_id AND sp.active
      WHERE l.facility_id IN (SELECT jsonb_array_elements_text(?::jsonb))
        AND (?::text IS NULL OR sp.specialty_keys @> ARRAY[lower(?::text)])
      ORDER BY l.facility_id, sp.practitioner_id, sp.schedule_id`,
    [JSON.stringify([...new Set(facilityIds)]), specialty, specialty],
  );
}

/** Time held in `[from, to)` by these practitioners, each's in start order: one statement. */
async function heldTimes(
  em: EntityManager,
  practitionerIds: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, Held[]>> {
  const out = new Map<string, Held[]>();
  if (practitionerIds.length === 0) return out;
  const rows = await em.execute<{ practitionerId: string; startsAt: Date; endsAt: Date }[]>(
    `SELECT practitioner_id AS "practitionerId", starts_at AS "startsAt", ends_at AS "endsAt"
       FROM held_time
      WHERE holds AND practitioner_id IN (SELECT jsonb_array_elements_text(?::jsonb))
        AND starts_at < ?::timestamptz AND ends_at > ?::timestamptz
      ORDER BY practitioner_id, starts_at`,
    [JSON.stringify(practitionerIds), to.toISOString(), from.toISOString()],
  );
  for (const r of rows) {
    const list = out.get(r.practitionerId) ?? [];
    list.push({ start: new Date(r.startsAt).getTime(), end: new Date(r.endsAt).getTime() });
    out.set(r.practitionerId, list);
  }
  return out;
}

/**
 * The earliest free slot of each facility from `from` within the horizon: the
 * slots of every active schedule at any of its Location ids (of practitioners
 * with the specialty, when given), laid out by platform/time (time-zone and
 * daylight-saving correct), minus the time appointments hold (both from the
 * projections of scheduling's events). Ties go to the lower practitioner id.
 * A facility with no free slot in the horizon, or none among the first
 * {@link MAX_SLOTS_PER_FACILITY} it looks at, is absent. Two statements for
 * the whole batch.
 */
export async function nextFreeSlots(
  em: EntityManager,
  q: NextFreeSlotQuery,
): Promise<Map<string, NextFreeSlot>> {
  const out = new Map<string, NextFreeSlot>();
  const days = q.horizonDays ?? DEFAULT_HORIZON_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_RANGE_DAYS)
    throw new RangeError(`horizonDays must be a whole number from 1 to ${MAX_RANGE_DAYS}`);
  if (q.facilityIds.length === 0) return out;
  const range = { from: q.from, to: new Date(q.from.getTime() + days * 86_400_000) };
  const schedules = await schedulesAt(em, q.facilityIds, q.specialty ?? null);
  if (schedules.length === 0) return out;
  const held = await heldTimes(
    em,
    [...new Set(schedules.map((s) => s.practitionerId))],
    range.from,
    range.to,
  );
  const byFacility = new Map<string, ScheduleRow[]>();
  for (const s of schedules)
    byFacility.set(s.facilityId, [...(byFacility.get(s.facilityId) ?? []), s]);
  for (const [facilityId, rows] of byFacility) {
    const lanes = rows.flatMap((s) => lane(s, range, held.get(s.practitionerId) ?? []));
    const found = firstFree(lanes);
    if (found) out.set(facilityId, { ...found.slot, ...who(found.schedule, q.specialty) });
  }
  return out;
}

/** A schedule's lane, or none for a rule platform/time refuses (the event contract checks it). */
function lane(schedule: ScheduleRow, range: { from: Date; to: Date }, held: Held[]): Lane[] {
  try {
    const slots = slotsInOrder(schedule, range);
    return [{ schedule, slots, next: slots.next().value as Slot | undefined, held, at: 0 }];
  } catch {
    return [];
  }
}

/** The first slot, in time order across the lanes, that no held time overlaps. */
function firstFree(lanes: Lane[]): { slot: Slot; schedule: ScheduleRow } | undefined {
  for (let examined = 0; examined < MAX_SLOTS_PER_FACILITY; examined++) {
    const l = earliest(lanes);
    if (!l?.next) return undefined;
    const slot = l.next;
    if (!isHeld(l, slot)) return { slot, schedule: l.schedule };
    l.next = l.slots.next().value as Slot | undefined;
  }
  return undefined;
}

/** The lane whose next slot starts first (ties: practitioner id), if any has one left. */
function earliest(lanes: readonly Lane[]): Lane | undefined {
  let best: Lane | undefined;
  for (const l of lanes) {
    if (!l.next) continue;
    const t = l.next.start.getTime();
    const b = best?.next?.start.getTime();
    if (
      b === undefined ||
      t < b ||
      (t === b && l.schedule.practitionerId < best!.schedule.practitionerId)
    )
      best = l;
  }
  return best;
}

/** Whether held time overlaps the slot; a lane's slots come in start order, so its cursor only moves on. */
function isHeld(l: Lane, slot: Slot): boolean {
  const start = slot.start.getTime();
  while (l.at < l.held.length && l.held[l.at]!.end <= start) l.at++;
  // Held times are in start order: if the first one not yet over starts after the slot, so do the rest.
  const h = l.held[l.at];
  return h !== undefined && h.start < slot.end.getTime();
}

function who(s: ScheduleRow, specialty: string | undefined) {
  const wanted = specialty?.toLowerCase();
  const named =
    wanted === undefined ? undefined : s.specialties.find((x) => x.toLowerCase() === wanted);
  return { practitionerId: s.practitionerId, specialty: named ?? s.specialties[0] ?? null };
}
