import { roundBounds, valueKind } from './intervals.js';
import { futureWeeks, gridValues } from './series.js';
import { lagDifferences, quantile } from './stats.js';
import type { Forecast, WeeklyPoint } from './types.js';

/** The seasonal lag of the baseline: 52 weeks (a whole number of weeks, unlike the 52.18 of the model). */
export const SEASON_WEEKS = 52;

/**
 * The seasonal-naive baseline (FPP3 §5.2): each future week is the value 52
 * weeks earlier (or the last value when the history is a season or shorter).
 * Intervals come from the empirical quantiles of the in-sample residuals
 * (seasonal, else one-step, differences) added to the point forecast, scaled
 * by sqrt(k) for the k-th season (or step) ahead; no distributional
 * assumption, which suits a baseline. Bounds are clamped at 0 for
 * non-negative histories and rounded for integer ones, as the model's are. With no residual to learn from the interval is the
 * point itself.
 */
export function seasonalNaive(history: readonly WeeklyPoint[], horizon: number): Forecast {
  const y = gridValues(history);
  if (!y.length) throw new RangeError('history is empty');
  const n = y.length;
  const m = n > SEASON_WEEKS ? SEASON_WEEKS : 1;
  const residuals = lagDifferences(y, m);
  const q = (p: number) => quantile(residuals, p);
  const [q025, q10, q90, q975] = [q(0.025), q(0.1), q(0.9), q(0.975)];
  const kind = valueKind(y);
  const floor = kind.nonNegative ? 0 : -Infinity;
  const clamp = (v: number) => Math.max(v, floor);
  const weeks = futureWeeks(history[n - 1]!.week, horizon);
  return {
    method: 'seasonal-naive',
    points: weeks.map((week, i) => {
      const h = i + 1;
      const k = Math.ceil(h / m);
      const point = y[n - 1 + h - k * m]!;
      const s = Math.sqrt(k);
      const bounds = {
        week,
        mean: point,
        lower80: clamp(point + q10 * s),
        upper80: clamp(point + q90 * s),
        lower95: clamp(point + q025 * s),
        upper95: clamp(point + q975 * s),
      };
      return roundBounds(bounds, kind);
    }),
    fit: null,
  };
}
