import { DateTime } from 'luxon';
import type { WeeklyHours } from '../../../platform/time/index.js';

/**
 * The one "open now" rule (the nearby search applies the same in SQL): a
 * facility with an emergency department is always open; any other is open
 * when its reported weekly hours hold the local time in its time zone; with
 * no hours known it is not known to be open (null).
 */
export function openAt(
  f: { emergency: boolean; timeZone: string },
  hours: WeeklyHours | null,
  at: Date,
): boolean | null {
  if (f.emergency) return true;
  if (!hours) return null;
  const local = DateTime.fromJSDate(at, { zone: f.timeZone });
  if (!local.isValid) return null;
  const hhmm = local.toFormat('HH:mm');
  return hours.some((h) => h.weekday === local.weekday && h.start <= hhmm && hhmm < h.end);
}
