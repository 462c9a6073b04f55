import { addWeeks, weekOf, weeksBetween } from './iso-week.js';
import type { WeeklyPoint } from './types.js';

/**
 * A dense weekly series: one point per ISO week from `from` to `to` (both
 * included; default the first and last week present), zero for a week with no
 * point, and the sum for a week given more than once (points may carry any day
 * of their week). Counts are sparse at source, and the models need a regular grid.
 */
export function fillWeeks(
  points: readonly WeeklyPoint[],
  from?: string,
  to?: string,
): WeeklyPoint[] {
  const sums = new Map<string, number>();
  for (const p of points) {
    const w = weekOf(p.week);
    sums.set(w, (sums.get(w) ?? 0) + p.value);
  }
  const present = [...sums.keys()].sort();
  const first = from === undefined ? present[0] : weekOf(from);
  const last = to === undefined ? present[present.length - 1] : weekOf(to);
  if (first === undefined || last === undefined) return [];
  const n = weeksBetween(first, last) + 1;
  const out: WeeklyPoint[] = [];
  for (let i = 0; i < n; i++) {
    const week = addWeeks(first, i);
    out.push({ week, value: sums.get(week) ?? 0 });
  }
  return out;
}

/** The weeks after a series' last week, `horizon` of them. */
export function futureWeeks(lastWeek: string, horizon: number): string[] {
  return Array.from({ length: horizon }, (_, i) => addWeeks(lastWeek, i + 1));
}

/**
 * Checks a history is a regular weekly grid (consecutive weeks, finite values)
 * and returns its values; models assume it, so a gap is a caller's bug.
 */
export function gridValues(history: readonly WeeklyPoint[]): number[] {
  for (let i = 1; i < history.length; i++) {
    if (weeksBetween(history[i - 1]!.week, history[i]!.week) !== 1) {
      throw new RangeError(
        `history is not consecutive weeks at ${history[i]!.week}; fill it with fillWeeks`,
      );
    }
  }
  return history.map((p) => {
    if (!Number.isFinite(p.value)) throw new RangeError(`non-finite value in week ${p.week}`);
    return p.value;
  });
}
