import {
  InvalidScheduleError,
  type LocalInterval,
  type ScheduleException,
  type ScheduleRule,
  validateScheduleRule,
} from './availability.js';
import {
  isoWeekday,
  localDayNumber,
  localTimeExists,
  localToInstant,
  parseLocalDate,
  parseLocalTime,
} from './local-time.js';

/** A bookable slot `[start, end)`, as UTC instants. */
export interface Slot {
  start: Date;
  end: Date;
}

/** A half-open window of real time `[from, to)`. */
export interface SlotRange {
  from: Date;
  to: Date;
}

/** Longest range one call may cover; bounds the work and the size of the answer. */
export const MAX_RANGE_DAYS = 366;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The concrete slots of `rule` that lie wholly inside `range` (`[from, to)`), sorted by
 * start, never overlapping, each exactly `slotMinutes` of real time long. Throws
 * {@link InvalidScheduleError} for a rule {@link validateScheduleRule} rejects and
 * `RangeError` for an invalid range or one longer than {@link MAX_RANGE_DAYS}.
 *
 * How wall-clock hours become instants:
 *
 * 1. For each local date in the rule's zone, the day's intervals are the weekly ones for
 *    its weekday, or those of an exception for that date (`closed` gives none); dates
 *    outside `effectiveFrom`..`effectiveTo` have none.
 * 2. Each interval becomes a span of real time: its start is the first instant the local
 *    clock shows the start time, its end the first instant it shows the end time (`24:00`
 *    is the next local midnight). An end that does not exist (spring-forward gap) is the
 *    moment the clock jumps. A start that does not exist moves forward by whole slots on
 *    the wall clock until it exists, so slots whose start falls in the gap are skipped.
 *    See `localToInstant` for the exact rules.
 * 3. Slots are laid from the span's start in steps of `slotMinutes` real minutes while a
 *    whole slot fits before its end; a shorter remainder is dropped. Slots inside one
 *    interval therefore always abut, with no gap and no overlap.
 *
 * Consequences across daylight-saving changes:
 *
 * - Fall-back (a local hour occurs twice): an interval spanning it is longer in real time
 *   and gets slots in both occurrences, with distinct UTC starts. A 24-hour schedule with
 *   60-minute slots gives 25 slots that day (in New York 2026-11-01: 01:00 EDT then
 *   01:00 EST). An interval starting inside the repeated hour starts at its first
 *   occurrence.
 * - Spring-forward (a local hour is skipped): an interval spanning it is shorter in real
 *   time and gets no slots in the missing hour: 23 hourly slots that day.
 * - Slot starts stay on the wall-clock grid (interval start + k × slotMinutes) whenever
 *   the offset change is a multiple of `slotMinutes`, as with the usual one-hour change
 *   and slot lengths that divide 60. Otherwise (e.g. 90-minute slots, or Lord Howe's
 *   30-minute change with hourly slots) the slots after the change are shifted by the
 *   remainder until the interval ends; the next interval starts on its own grid again.
 * - Slots are clipped to `range` by dropping those not wholly inside it, never by
 *   shortening or shifting them.
 */
export function generateSlots(rule: ScheduleRule, range: SlotRange): Slot[] {
  return [...slotsInOrder(rule, range)];
}

/**
 * The same slots as {@link generateSlots}, one at a time in start order, computed only as far
 * as they are taken: a caller that needs the first few slots of a long range pays for those
 * days only. The rule and the range are checked at once (same errors), not on the first take.
 */
export function slotsInOrder(rule: ScheduleRule, range: SlotRange): IterableIterator<Slot> {
  const problems = validateScheduleRule(rule);
  if (problems.length > 0) throw new InvalidScheduleError(problems);
  const from = range.from.getTime();
  const to = range.to.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new RangeError('generateSlots needs a range of valid dates');
  }
  if (to - from > MAX_RANGE_DAYS * DAY_MS) {
    throw new RangeError(`generateSlots covers at most ${MAX_RANGE_DAYS} days per call`);
  }
  return layOut(rule, from, to);
}

function* layOut(rule: ScheduleRule, from: number, to: number): IterableIterator<Slot> {
  if (to <= from) return;
  const zone = rule.timeZone;
  const slotMs = rule.slotMinutes * MINUTE_MS;
  const hoursOn = dailyHours(rule);
  // One local day of margin on each side: a zone's local day can start before `from`'s.
  const lastDay = localDayNumber(to, zone) + 1;
  for (let day = localDayNumber(from, zone) - 1; day <= lastDay; day += 1) {
    for (const { start, end } of hoursOn(day)) {
      const startMinute = firstExistingStart(day, start, end, rule.slotMinutes, zone);
      if (startMinute === null) continue;
      const spanEnd = localToInstant(day, end, zone);
      for (let t = localToInstant(day, startMinute, zone); t + slotMs <= spanEnd; t += slotMs) {
        if (t >= from && t + slotMs <= to) yield { start: new Date(t), end: new Date(t + slotMs) };
      }
    }
  }
}

type Minutes = { start: number; end: number };

/** The rule's intervals (as minutes after midnight, sorted) for a local day number. */
function dailyHours(rule: ScheduleRule): (day: number) => Minutes[] {
  const first = rule.effectiveFrom === undefined ? -Infinity : parseLocalDate(rule.effectiveFrom);
  const last = rule.effectiveTo === undefined ? Infinity : parseLocalDate(rule.effectiveTo);
  const exceptions = new Map<number, ScheduleException>();
  for (const exception of rule.exceptions) {
    const day = parseLocalDate(exception.date);
    if (day !== null) exceptions.set(day, exception);
  }
  const weekly = [1, 2, 3, 4, 5, 6, 7].map((weekday) =>
    toMinutes(rule.weekly.filter((entry) => entry.weekday === weekday)),
  );
  return (day) => {
    if (first === null || last === null || day < first || day > last) return [];
    const exception = exceptions.get(day);
    if (exception === undefined) return weekly[isoWeekday(day) - 1] ?? [];
    return exception.kind === 'closed' ? [] : toMinutes(exception.intervals);
  };
}

function toMinutes(intervals: readonly LocalInterval[]): Minutes[] {
  return intervals
    .map((interval) => ({
      start: parseLocalTime(interval.start) ?? 0,
      end: parseLocalTime(interval.end) ?? 0,
    }))
    .sort((a, b) => a.start - b.start);
}

/** The interval's start, or the first later wall-clock grid point that exists, if any. */
function firstExistingStart(
  day: number,
  start: number,
  end: number,
  slotMinutes: number,
  zone: string,
): number | null {
  for (let minute = start; minute < end; minute += slotMinutes) {
    if (localTimeExists(day, minute, zone)) return minute;
  }
  return null;
}
