import type { WeeklyHours } from '../../../platform/time/index.js';
import { openAt } from './open-now.js';
import type { Reported } from './score.js';

/** A value with its time, stale when older than `staleMinutes` at `now`; null when never reported. */
export function reported<T>(
  value: T | null,
  at: Date | null,
  now: Date,
  staleMinutes: number,
): Reported<T> | null {
  if (value === null || at === null) return null;
  return { value, observedAt: at, stale: now.getTime() - at.getTime() > staleMinutes * 60_000 };
}

/** A facility's status row as far as it is read here (store/status.ts StatusRow). */
interface StatusValues {
  bedsAvailable: number | null;
  bedsAvailableAt: Date | null;
  emergencyWaitMinutes: number | null;
  emergencyWaitAt: Date | null;
  diversion: boolean | null;
  diversionAt: Date | null;
  hours: WeeklyHours | null;
}

/** What a facility's status says now: each reported value with its staleness, and open-now. */
export interface CurrentStatus {
  bedsAvailable: Reported<number> | null;
  emergencyWaitMinutes: Reported<number> | null;
  diversion: Reported<boolean> | null;
  openNow: boolean | null;
}

/**
 * A status row read at `now`: the one reading the status field and the
 * recommender share (a facility that never reported has every value null).
 */
export function currentStatus(
  row: StatusValues | undefined,
  facility: { emergency: boolean; timeZone: string },
  now: Date,
  staleMinutes: number,
): CurrentStatus {
  return {
    bedsAvailable: reported(
      row?.bedsAvailable ?? null,
      row?.bedsAvailableAt ?? null,
      now,
      staleMinutes,
    ),
    emergencyWaitMinutes: reported(
      row?.emergencyWaitMinutes ?? null,
      row?.emergencyWaitAt ?? null,
      now,
      staleMinutes,
    ),
    diversion: reported(row?.diversion ?? null, row?.diversionAt ?? null, now, staleMinutes),
    openNow: openAt(facility, row?.hours ?? null, now),
  };
}
