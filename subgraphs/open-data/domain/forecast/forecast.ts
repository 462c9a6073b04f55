import { forecastPoint, toScale, valueKind } from './intervals.js';
import { naiveForecast } from './naive.js';
import {
  regressionForecast,
  selectRegression,
  WEEKLY_PERIOD,
  type RegressionSpec,
} from './regression.js';
import { futureWeeks, gridValues } from './series.js';
import type { Forecast, ForecastMethod, Transform, WeeklyPoint } from './types.js';

export interface ForecastOptions {
  /** `auto` (default): `sqrt` when every value is ≥ 0, else `none`. */
  transform?: Transform | 'auto';
  /**
   * Round interval bounds to integers (default: when every value is an
   * integer). Coverage of counts is then conservative; see intervals.ts.
   */
  integerBounds?: boolean;
  /** `ar1` (default): AR(1) errors where AICc prefers them (ar1-errors.ts); `white`: never. */
  errors?: 'ar1' | 'white';
  /** Largest K tried (default 10). */
  maxHarmonics?: number;
}

/** Fewer points than this get the naive forecast. */
export const MIN_REGRESSION_POINTS = 8;

/**
 * Forecasts `horizon` weeks after a weekly count history, with 80% and 95%
 * prediction intervals.
 *
 * Method: dynamic harmonic regression as in Hyndman & Athanasopoulos, FPP3
 * §12.1, with AR(1) errors rather than a full ARIMA search: the series on
 * the square-root scale is regressed on an intercept, a linear trend and K
 * Fourier pairs sin/cos(2πkt/52.18) by least squares (feasible GLS for AR(1)
 * errors, ar1-errors.ts), K from 0..10 and white or AR(1) errors chosen
 * together by AICc (a no-trend mean is a candidate too, so a series without
 * seasonality or trend is not made to have one). Fourier terms suit
 * weekly data because the year is not a whole number of weeks, which
 * seasonal ARIMA/ETS with period 52 handle badly.
 *
 * Transform: sqrt for non-negative series. It stabilises the variance of
 * counts (Poisson sd ≈ 1/2 on that scale at any mean), copes with zeros
 * (unlike log), and squares back to non-negative bounds; the mean is
 * bias-adjusted (see intervals.ts). Series with negative values are modelled
 * as they are.
 *
 * Intervals: centre ± t(df)·sqrt(sigma² + sigma²·x0'(X'X)^-1 x0), Student-t
 * quantiles with the residual df, so both the new error and the uncertainty
 * of the coefficients count (with AR(1) errors the first term is the AR
 * h-step variance); mapped back through the transform, clamped at 0 for
 * non-negative series and rounded to integers for integer series (count
 * quantiles are integers; see intervals.ts for the coverage cost).
 *
 * Short series: under two seasons (n < 104.4) no Fourier term is tried
 * (trend or mean, by AICc); under 8 points the naive forecast (naive.ts).
 *
 * The history must be consecutive weeks (fillWeeks first if sparse).
 * Deterministic; throws RangeError for an empty history, a gap, a
 * non-integer horizon, or `sqrt` asked for negative values.
 */
export function forecastWeekly(
  history: readonly WeeklyPoint[],
  horizon: number,
  options: ForecastOptions = {},
): Forecast {
  const values = gridValues(history);
  if (!values.length) throw new RangeError('history is empty');
  if (!Number.isInteger(horizon) || horizon < 0) {
    throw new RangeError(`horizon must be a whole number of weeks: ${horizon}`);
  }
  const measured = valueKind(values);
  const kind = { ...measured, integer: options.integerBounds ?? measured.integer };
  const transform = chooseTransform(options.transform ?? 'auto', kind.nonNegative);
  if (values.length < MIN_REGRESSION_POINTS) {
    return naiveForecast(history, values, horizon, transform, kind);
  }
  const z = toScale(values, transform);
  const model = selectRegression(
    z,
    candidates(z.length, options.maxHarmonics ?? 10, options.errors ?? 'ar1'),
  );
  const weeks = futureWeeks(history[history.length - 1]!.week, horizon);
  const points = regressionForecast(model, horizon).map((f, i) =>
    forecastPoint({ week: weeks[i]!, ...f }, transform, kind),
  );
  return {
    method: methodOf(model.spec),
    points,
    fit: {
      harmonics: model.spec.harmonics,
      transform,
      sigma: model.sigma,
      df: model.df,
      ar1: model.spec.ar1 ? model.phi : null,
      aicc: model.aicc,
    },
  };
}

function chooseTransform(asked: Transform | 'auto', nonNegative: boolean): Transform {
  if (asked === 'auto') return nonNegative ? 'sqrt' : 'none';
  if (asked === 'sqrt' && !nonNegative) {
    throw new RangeError('the sqrt transform needs non-negative values');
  }
  return asked;
}

/** Simplest first, so AICc ties go to the simpler model; each with white and (if asked) AR(1) errors. */
function candidates(n: number, maxHarmonics: number, errors: 'ar1' | 'white'): RegressionSpec[] {
  const shapes: RegressionSpec[] = [
    { trend: false, harmonics: 0 },
    { trend: true, harmonics: 0 },
  ];
  if (n >= 2 * WEEKLY_PERIOD) {
    for (let k = 1; k <= Math.min(maxHarmonics, Math.floor(WEEKLY_PERIOD / 2)); k++) {
      shapes.push({ trend: true, harmonics: k });
    }
  }
  return errors === 'white' ? shapes : shapes.flatMap((s) => [s, { ...s, ar1: true }]);
}

function methodOf(spec: RegressionSpec): ForecastMethod {
  if (spec.harmonics > 0) return 'harmonic-regression';
  return spec.trend ? 'trend' : 'mean';
}
