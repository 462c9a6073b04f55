import { badInput } from '../../../platform/errors/index.js';
import { validateScheduleRule, type WeeklyHours } from '../../../platform/time/index.js';

/** The status fields a report may carry (absent: not reported this time). */
export interface StatusReport {
  bedsAvailable?: number;
  emergencyWaitMinutes?: number;
  diversion?: boolean;
  /** Weekly opening hours in the facility's time zone; `[]`: closed, null: hours no longer known. */
  hours?: WeeklyHours | null;
  observedAt: Date;
}

export type StatusField = 'bedsAvailable' | 'emergencyWaitMinutes' | 'diversion' | 'hours';
export const STATUS_FIELDS: readonly StatusField[] = [
  'bedsAvailable',
  'emergencyWaitMinutes',
  'diversion',
  'hours',
];

/** A feed's clock may run this far ahead of ours. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Reports older than this are refused (a feed replaying history should not rewrite it). */
export const MAX_REPORT_AGE_DAYS = 30;

/** The fields a report carries. */
export const reportedFields = (r: StatusReport): StatusField[] =>
  STATUS_FIELDS.filter((f) => r[f] !== undefined);

/**
 * Checks a report against the rules, with BAD_USER_INPUT naming the field:
 * at least one value; counts within range; hours a valid weekly pattern;
 * observed no later than now (plus a small clock skew) and not over 30 days ago.
 */
export function checkStatusReport(r: StatusReport, timeZone: string, now: Date): void {
  if (reportedFields(r).length === 0)
    throw badInput('Report at least one of bedsAvailable, emergencyWaitMinutes, diversion, hours');
  if (
    r.bedsAvailable !== undefined &&
    !(Number.isInteger(r.bedsAvailable) && r.bedsAvailable >= 0 && r.bedsAvailable <= 100_000)
  )
    throw badInput('bedsAvailable must be a whole number from 0 to 100000', 'bedsAvailable');
  if (
    r.emergencyWaitMinutes !== undefined &&
    !(
      Number.isInteger(r.emergencyWaitMinutes) &&
      r.emergencyWaitMinutes >= 0 &&
      r.emergencyWaitMinutes <= 2880
    )
  )
    throw badInput(
      'emergencyWaitMinutes must be a whole number from 0 to 2880',
      'emergencyWaitMinutes',
    );
  if (r.hours) {
    const problems = validateScheduleRule({
      timeZone,
      weekly: r.hours,
      slotMinutes: 60,
      exceptions: [],
    });
    if (problems.length) throw badInput(`hours: ${problems.slice(0, 3).join('; ')}`, 'hours');
  }
  const t = r.observedAt.getTime();
  if (!Number.isFinite(t)) throw badInput('observedAt must be a date-time', 'observedAt');
  if (t > now.getTime() + MAX_CLOCK_SKEW_MS)
    throw badInput('observedAt is in the future', 'observedAt');
  if (t < now.getTime() - MAX_REPORT_AGE_DAYS * 86_400_000)
    throw badInput(`observedAt is more than ${MAX_REPORT_AGE_DAYS} days ago`, 'observedAt');
}
