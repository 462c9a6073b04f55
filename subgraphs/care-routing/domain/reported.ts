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
