import {
  isKnownTimeZone,
  type LocalDate,
  type LocalTime,
  parseLocalDate,
  parseLocalTime,
} from './local-time.js';

/** ISO weekday: Monday = 1 … Sunday = 7. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** A wall-clock interval `[start, end)` within one local date; `end` may be `24:00`. */
export interface LocalInterval {
  start: LocalTime;
  end: LocalTime;
}

/** Recurring opening hours; a weekday may have several intervals (09:00–12:00, 13:00–17:00). */
export type WeeklyHours = readonly (LocalInterval & { weekday: IsoWeekday })[];

/** A date whose weekly hours are replaced: closed all day, or open only in `intervals`. */
export type ScheduleException =
  | { date: LocalDate; kind: 'closed' }
  | { date: LocalDate; kind: 'hours'; intervals: readonly LocalInterval[] };

/**
 * Recurring availability in one time zone. All times and dates are local to `timeZone`.
 * `effectiveFrom` and `effectiveTo` are inclusive local dates; exceptions outside them
 * have no effect.
 */
export interface ScheduleRule {
  /** IANA time-zone name, e.g. `America/New_York`. */
  timeZone: string;
  weekly: WeeklyHours;
  /** Length of every slot in real minutes, MIN_SLOT_MINUTES..MAX_SLOT_MINUTES. */
  slotMinutes: number;
  exceptions: readonly ScheduleException[];
  effectiveFrom?: LocalDate;
  effectiveTo?: LocalDate;
}

export const MIN_SLOT_MINUTES = 5;
export const MAX_SLOT_MINUTES = 240;

/** Thrown by slot generation for a rule that {@link validateScheduleRule} rejects. */
export class InvalidScheduleError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid schedule rule: ${problems.join('; ')}`);
    this.name = 'InvalidScheduleError';
  }
}

/**
 * Problems with `rule`, one readable sentence each; empty when the rule is usable.
 * Checks: known time zone; integer slot length within bounds; weekdays 1..7; `HH:mm`
 * times with end after start; no overlapping intervals on the same day (touching is
 * fine); real calendar dates; one exception per date; effectiveFrom not after effectiveTo.
 * An interval whose length is not a multiple of the slot length is not a problem: its
 * trailing remainder simply yields no slot.
 */
export function validateScheduleRule(rule: ScheduleRule): string[] {
  const problems: string[] = [];
  if (!isKnownTimeZone(rule.timeZone)) {
    problems.push(`timeZone "${String(rule.timeZone)}" is not a known IANA time zone`);
  }
  const slot = rule.slotMinutes;
  if (!Number.isInteger(slot) || slot < MIN_SLOT_MINUTES || slot > MAX_SLOT_MINUTES) {
    problems.push(
      `slotMinutes must be a whole number from ${MIN_SLOT_MINUTES} to ${MAX_SLOT_MINUTES}`,
    );
  }
  problems.push(...weeklyProblems(rule.weekly));
  problems.push(...exceptionProblems(rule.exceptions));
  problems.push(...effectiveProblems(rule));
  return problems;
}

function weeklyProblems(weekly: WeeklyHours): string[] {
  if (!isList(weekly)) return ['weekly must be a list of intervals'];
  const problems: string[] = [];
  for (let day = 1; day <= 7; day += 1) {
    const entries = weekly
      .map((entry, index) => ({ entry, label: `weekly[${index}]` }))
      .filter(({ entry }) => entry.weekday === day);
    problems.push(...intervalProblems(entries));
  }
  weekly.forEach((entry, index) => {
    if (!Number.isInteger(entry.weekday) || entry.weekday < 1 || entry.weekday > 7) {
      problems.push(`weekly[${index}]: weekday must be 1 (Monday) to 7 (Sunday)`);
    }
  });
  return problems;
}

function exceptionProblems(exceptions: readonly ScheduleException[]): string[] {
  if (!isList(exceptions)) return ['exceptions must be a list'];
  const problems: string[] = [];
  const seen = new Set<string>();
  exceptions.forEach((exception, index) => {
    const label = `exceptions[${index}]`;
    if (parseLocalDate(exception.date) === null) {
      problems.push(`${label}: date must be a real date as YYYY-MM-DD`);
    } else if (seen.has(exception.date)) {
      problems.push(`${label}: more than one exception for ${exception.date}`);
    }
    seen.add(exception.date);
    if (exception.kind === 'hours') {
      if (!isList(exception.intervals)) {
        problems.push(`${label}: intervals must be a list`);
      } else {
        const entries = exception.intervals.map((entry, i) => ({
          entry,
          label: `${label}.intervals[${i}]`,
        }));
        problems.push(...intervalProblems(entries));
      }
    } else if (exception.kind !== 'closed') {
      problems.push(`${label}: kind must be 'closed' or 'hours'`);
    }
  });
  return problems;
}

function effectiveProblems(rule: ScheduleRule): string[] {
  const problems: string[] = [];
  const from = rule.effectiveFrom === undefined ? undefined : parseLocalDate(rule.effectiveFrom);
  const to = rule.effectiveTo === undefined ? undefined : parseLocalDate(rule.effectiveTo);
  if (from === null) problems.push('effectiveFrom must be a real date as YYYY-MM-DD');
  if (to === null) problems.push('effectiveTo must be a real date as YYYY-MM-DD');
  if (typeof from === 'number' && typeof to === 'number' && from > to) {
    problems.push('effectiveFrom must not be after effectiveTo');
  }
  return problems;
}

/** Input may come straight from JSON; `Array.isArray` as a type guard would widen to `any[]`. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

/** Problems within one day's intervals: malformed times, empty intervals, overlaps. */
function intervalProblems(entries: { entry: LocalInterval; label: string }[]): string[] {
  const problems: string[] = [];
  const valid: { start: number; end: number; label: string }[] = [];
  for (const { entry, label } of entries) {
    const start = parseLocalTime(entry.start);
    const end = parseLocalTime(entry.end);
    if (start === null || start === 24 * 60) {
      problems.push(`${label}: start must be a time from 00:00 to 23:59 as HH:mm`);
    } else if (end === null) {
      problems.push(`${label}: end must be a time from 00:00 to 24:00 as HH:mm`);
    } else if (end <= start) {
      problems.push(`${label}: end ${entry.end} must be after start ${entry.start}`);
    } else {
      valid.push({ start, end, label });
    }
  }
  valid.sort((a, b) => a.start - b.start);
  for (let i = 1; i < valid.length; i += 1) {
    const previous = valid[i - 1]!;
    const current = valid[i]!;
    if (current.start < previous.end) {
      problems.push(`${current.label} overlaps ${previous.label}`);
    }
  }
  return problems;
}
