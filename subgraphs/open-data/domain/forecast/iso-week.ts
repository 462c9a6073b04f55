/**
 * ISO-week arithmetic on UTC calendar days. A week is named by its Monday as
 * `YYYY-MM-DD`, so weeks sort as strings, and the ISO week number (which
 * belongs to the year holding the week's Thursday) is derived when asked.
 */

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const DAY = /^(\d{4})-(\d{2})-(\d{2})/;

/** Epoch milliseconds of a UTC day `YYYY-MM-DD` (a longer dateTime is cut to its date). */
export function dayMs(day: string): number {
  const m = DAY.exec(day);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${day}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== day.slice(0, 10)) {
    throw new RangeError(`not a calendar date: ${day}`);
  }
  return ms;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The Monday (`YYYY-MM-DD`) of the ISO week holding a UTC date or dateTime. */
export function weekOf(day: string): string {
  const ms = dayMs(day);
  const sinceMonday = (new Date(ms).getUTCDay() + 6) % 7;
  return iso(ms - sinceMonday * DAY_MS);
}

/** The week `n` weeks after (or before, if negative) the week starting `week`. */
export function addWeeks(week: string, n: number): string {
  return iso(dayMs(weekOf(week)) + n * WEEK_MS);
}

/** Whole weeks from the week of `from` to the week of `to` (negative if `to` is earlier). */
export function weeksBetween(from: string, to: string): number {
  return Math.round((dayMs(weekOf(to)) - dayMs(weekOf(from))) / WEEK_MS);
}

/** The ISO week-numbering year and week number (1..53) of a date, e.g. 2021-01-03 → 2020-W53. */
export function isoWeek(day: string): { year: number; week: number } {
  const thursday = dayMs(weekOf(day)) + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / WEEK_MS) + 1;
  return { year, week };
}
