/** The shapes the forecasting modules take and give. */

/** One week of a series: the week's Monday (UTC, `YYYY-MM-DD`) and its count. */
export interface WeeklyPoint {
  week: string;
  value: number;
}

/** A forecast for one week: the mean and the 80% and 95% prediction intervals. */
export interface ForecastPoint {
  week: string;
  mean: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

/**
 * Which model produced a forecast: `harmonic-regression` (trend plus Fourier
 * terms), its short-series fallbacks `trend` and `mean`, `naive` for very
 * short series, and the `seasonal-naive` baseline.
 */
export type ForecastMethod = 'harmonic-regression' | 'trend' | 'mean' | 'naive' | 'seasonal-naive';

/** How a regression-family forecast was fitted, for reports and tests. */
export interface FitSummary {
  /** Fourier pairs K (0 for `trend`/`mean`/`naive`). */
  harmonics: number;
  /** The scale the model was fitted on (`sqrt` for non-negative counts). */
  transform: Transform;
  /** Residual standard error on the fitted scale. */
  sigma: number;
  /** Residual degrees of freedom behind `sigma` (and the Student-t quantiles). */
  df: number;
  /** The AR(1) coefficient of the errors, when they were modelled as AR(1). */
  ar1: number | null;
  /** The AICc of the chosen model, when it was chosen by AICc. */
  aicc: number | null;
}

export type Transform = 'sqrt' | 'none';

export interface Forecast {
  method: ForecastMethod;
  points: ForecastPoint[];
  fit: FitSummary | null;
}
