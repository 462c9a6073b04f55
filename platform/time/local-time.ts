import { DateTime, IANAZone } from 'luxon';
import { BoundedLru } from '../cache/lru.js';

/** A calendar date, `YYYY-MM-DD`, with no zone attached. */
export type LocalDate = string;
/** A wall-clock time of day, `HH:mm` (24-hour). `24:00` is allowed only as an interval end. */
export type LocalTime = string;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const CLOCK = /^(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Minutes after midnight of an `HH:mm` time (00:00..24:00), or `null` when malformed. */
export function parseLocalTime(time: string): number | null {
  const match = CLOCK.exec(time);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes !== 0)) return null;
  return hours * 60 + minutes;
}

/**
 * Days since 1970-01-01 of a real `YYYY-MM-DD` calendar date, or `null` when malformed
 * or not a date (e.g. `2026-02-30`). Day numbers make date arithmetic zone-free.
 */
export function parseLocalDate(date: string): number | null {
  const match = DATE.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1) return null;
  return ms / DAY_MS;
}

/** The `YYYY-MM-DD` of a day number from {@link parseLocalDate}. */
export function formatDayNumber(dayNumber: number): LocalDate {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday (Monday = 1 … Sunday = 7) of a day number. */
export function isoWeekday(dayNumber: number): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

/**
 * Zone names already checked, and their zone (null: unknown). luxon's own check builds an
 * `Intl.DateTimeFormat` on every call, which cost 8% of a query listing appointments. The
 * IANA database has about 600 names; the bound keeps arbitrary input from growing it.
 */
export const ZONE_MEMO_ENTRIES = 1024;
const zones = new BoundedLru<string, IANAZone | null>(ZONE_MEMO_ENTRIES);

function lookUpZone(zone: string): IANAZone | null {
  const known = zones.get(zone);
  if (known !== undefined) return known;
  const found = IANAZone.isValidZone(zone) ? IANAZone.create(zone) : null;
  zones.set(zone, found);
  return found;
}

/** Whether `zone` names a time zone this runtime knows (IANA name, e.g. `Europe/Berlin`). */
export function isKnownTimeZone(zone: string): boolean {
  return typeof zone === 'string' && lookUpZone(zone) !== null;
}

/** The local date (`YYYY-MM-DD`) in `zone` at instant `ms`, as a day number. */
export function localDayNumber(ms: number, zone: string): number {
  const offset = zoneOf(zone).offset(ms);
  return Math.floor((ms + offset * MINUTE_MS) / DAY_MS);
}

/**
 * The instant (epoch ms) at which the clock in `zone` first shows `minutes` after midnight of
 * local day `dayNumber` (`minutes` may be 1440, i.e. the next midnight). Deterministic rules:
 *
 * - A local time that occurs twice (fall-back overlap) resolves to its **earlier** instant,
 *   the one with the pre-transition offset: 01:30 on 2026-11-01 in New York is 05:30Z (EDT).
 * - A local time that does not exist (spring-forward gap) resolves to **the transition
 *   instant**, the moment the clock jumps: 02:30 on 2026-03-29 in Berlin is 01:00Z (03:00 CEST).
 *
 * Both rules keep the map from local time to instants non-decreasing, so intervals that do
 * not overlap on the wall clock never overlap in real time, and intervals that touch on the
 * wall clock touch in real time. Luxon's own `DateTime.fromObject` is not used for this: it
 * resolves an ambiguous time by the offset in force at the current date, so its answer
 * changes with the season the code happens to run in; and it moves a nonexistent time
 * forward by the gap (02:30 becomes 03:30), which would let an interval ending at 02:30
 * overlap one starting at 03:00.
 */
export function localToInstant(dayNumber: number, minutes: number, zone: string): number {
  return resolveLocal(dayNumber * DAY_MS + minutes * MINUTE_MS, zoneOf(zone)).instant;
}

/** Whether the local wall-clock time exists in `zone` (false inside a spring-forward gap). */
export function localTimeExists(dayNumber: number, minutes: number, zone: string): boolean {
  return resolveLocal(dayNumber * DAY_MS + minutes * MINUTE_MS, zoneOf(zone)).exists;
}

/**
 * `date` as ISO 8601 local time in `zone` with its UTC offset, e.g.
 * `2026-11-01T01:00:00-05:00`, for display and logs. Throws on an unknown zone.
 */
export function toLocal(date: Date, zone: string): string {
  const local = DateTime.fromJSDate(date, { zone: zoneOf(zone) });
  if (!local.isValid) throw new RangeError('toLocal needs a valid date');
  return local.toISO({ suppressMilliseconds: true });
}

function zoneOf(zone: string): IANAZone {
  const found = typeof zone === 'string' ? lookUpZone(zone) : null;
  if (!found) throw new RangeError(`Unknown time zone: ${String(zone)}`);
  return found;
}

/** `wall` is the wall-clock reading written as if it were UTC epoch ms. */
function resolveLocal(wall: number, zone: IANAZone): { instant: number; exists: boolean } {
  // A day either side lies beyond any single transition (only Samoa's 2011 skip was longer).
  const before = zone.offset(wall - DAY_MS);
  const after = zone.offset(wall + DAY_MS);
  const matches = [before, after]
    .filter((offset) => zone.offset(wall - offset * MINUTE_MS) === offset)
    .map((offset) => wall - offset * MINUTE_MS);
  if (matches.length > 0) return { instant: Math.min(...matches), exists: true };
  return {
    instant: transitionBetween(wall - after * MINUTE_MS, wall - before * MINUTE_MS, zone, after),
    exists: false,
  };
}

/** First instant in (low, high] whose offset is `target`, by bisection on milliseconds. */
function transitionBetween(low: number, high: number, zone: IANAZone, target: number): number {
  let lo = low;
  let hi = high;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === target) hi = mid;
    else lo = mid;
  }
  return hi;
}
