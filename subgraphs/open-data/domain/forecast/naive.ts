import { forecastPoint, toScale, type ValueKind } from './intervals.js';
import { futureWeeks } from './series.js';
import { lagDifferences } from './stats.js';
import type { Forecast, Transform, WeeklyPoint } from './types.js';

/**
 * Poisson noise has standard deviation about 1/2 on the square-root scale
 * (Anscombe), whatever the mean: the least noise a count series is assumed to
 * have when it is too short to estimate its own.
 */
export const POISSON_SQRT_SD = 0.5;

/**
 * The naive (random-walk) forecast for very short series: every future week
 * equals the last one, with sd sigma·sqrt(h), sigma the root mean square of
 * the one-step changes on the fitted scale (FPP3 §5.5). On the sqrt scale
 * sigma is at least POISSON_SQRT_SD, and with a single point (no change
 * to learn from) df = 1, so its intervals are deliberately wide.
 */
export function naiveForecast(
  history: readonly WeeklyPoint[],
  values: readonly number[],
  horizon: number,
  transform: Transform,
  kind: ValueKind,
): Forecast {
  const z = toScale(values, transform);
  const diffs = lagDifferences(z, 1);
  const rms = Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / Math.max(diffs.length, 1));
  const sigma = transform === 'sqrt' ? Math.max(rms, POISSON_SQRT_SD) : rms;
  const df = Math.max(diffs.length, 1);
  const last = z[z.length - 1]!;
  const weeks = futureWeeks(history[history.length - 1]!.week, horizon);
  return {
    method: 'naive',
    points: weeks.map((week, i) =>
      forecastPoint({ week, center: last, sd: sigma * Math.sqrt(i + 1), df }, transform, kind),
    ),
    fit: { harmonics: 0, transform, sigma, df, ar1: null, aicc: null },
  };
}
