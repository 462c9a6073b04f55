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

/**
 * Weekly count forecasts with prediction intervals.
 *
 * Method: dynamic harmonic regression as in Hyndman & Athanasopoulos, FPP3
 * §12.1 (with regression errors taken as white noise): the series on the
 * square-root scale is regressed by ordinary least squares on an intercept,
 * a linear trend and K Fourier pairs sin/cos(2πkt/52.18), K chosen by AICc
 * from 0..10 (K = 0 and a no-trend mean are candidates too, so a series
 * without seasonality or trend is not made to have one). Fourier terms suit
 * weekly data because the year is not a whole number of weeks, which
 * seasonal ARIMA/ETS with period 52 handle badly.
 *
 * Transform: sqrt for non-negative series. It stabilises the variance of
 * counts (Poisson sd ≈ 1/2 on that scale at any mean), copes with zeros
 * (unlike log), and squares back to non-negative bounds; the mean is
 * bias-adjusted (see intervals.ts). Series with negative values are modelled
 * as they are.
 *
 * Intervals: centre ± t(df)·sigma·sqrt(1 + x0'(X'X)^-1 x0), Student-t
 * quantiles with the residual df, so both the new error and the uncertainty
 * of the coefficients count; mapped back through the transform, clamped
 * at 0 for non-negative series and rounded to integers for integer series
 * (count quantiles are integers; see intervals.ts for the coverage cost). They assume independent errors: autocorrelated residuals
 * make them somewhat narrow (the backtest's coverage shows by how much).
 *
 * Short series: under two seasons (n < 104.4) no Fourier term is tried
 * (trend or mean, by AICc); under 8 points the naive forecast (naive.ts).
 */
export interface ForecastOptions {
  /** `auto` (default): `sqrt` when every value is ≥ 0, else `none`. */
  transform?: Transform | 'auto';
  /**
   * Round interval bounds to integers (default: when every value is an
   * integer). Coverage of counts is then conservative; see intervals.ts.
   */
  integerBounds?: boolean;
  /** Largest K tried (default 10). */
  maxHarmonics?: number;
}

/** Fewer points than this get the naive forecast. */
export const MIN_REGRESSION_POINTS = 8;

/**
 * Forecasts `horizon` weeks after a history of consecutive weeks
 * (fillWeeks first if sparse). Deterministic; throws RangeError for an empty
 * history, a gap, a non-integer horizon, or `sqrt` asked for negative values.
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
  const model = selectRegression(z, candidates(z.length, options.maxHarmonics ?? 10));
  const weeks = futureWeeks(history[history.length - 1]!.week, horizon);
  const points = regressionForecast(model, horizon).map((f, i) =>
    forecastPoint({ week: weeks[i]!, ...f, df: model.df }, transform, kind),
  );
  return {
    method: methodOf(model.spec),
    points,
    fit: {
      harmonics: model.spec.harmonics,
      transform,
      sigma: model.sigma,
      df: model.df,
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

/** Simplest first, so AICc ties go to the simpler model. */
function candidates(n: number, maxHarmonics: number): RegressionSpec[] {
  const specs: RegressionSpec[] = [
    { trend: false, harmonics: 0 },
    { trend: true, harmonics: 0 },
  ];
  if (n >= 2 * WEEKLY_PERIOD) {
    for (let k = 1; k <= Math.min(maxHarmonics, Math.floor(WEEKLY_PERIOD / 2)); k++) {
      specs.push({ trend: true, harmonics: k });
    }
  }
  return specs;
}

function methodOf(spec: RegressionSpec): ForecastMethod {
  if (spec.harmonics > 0) return 'harmonic-regression';
  return spec.trend ? 'trend' : 'mean';
}
