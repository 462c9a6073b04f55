import { leastSquares, type LeastSquaresFit } from './least-squares.js';

/** Weeks in a year: the seasonal period of weekly data (FPP3 §12.1). */
export const WEEKLY_PERIOD = 365.25 / 7;

/** A regression on time: intercept, optionally a linear trend, and K Fourier pairs. */
export interface RegressionSpec {
  trend: boolean;
  harmonics: number;
}

/** A fitted regression on a series (on whatever scale it was given). */
export interface RegressionModel {
  spec: RegressionSpec;
  n: number;
  fit: LeastSquaresFit;
  /** Residual standard error `sqrt(rss / (n - p))`. */
  sigma: number;
  /** Residual degrees of freedom n - p. */
  df: number;
  aicc: number;
}

/**
 * The design row at time t (0 = the first week). The trend is t/n so every
 * column is of order 1 and the ridge in the solver stays negligible.
 */
export function designRow(t: number, n: number, spec: RegressionSpec): number[] {
  const row = [1];
  if (spec.trend) row.push(t / n);
  for (let k = 1; k <= spec.harmonics; k++) {
    const angle = (2 * Math.PI * k * t) / WEEKLY_PERIOD;
    row.push(Math.sin(angle), Math.cos(angle));
  }
  return row;
}

export function columns(spec: RegressionSpec): number {
  return 1 + (spec.trend ? 1 : 0) + 2 * spec.harmonics;
}

/**
 * AICc of a Gaussian linear model with p coefficients (k = p + 1 counting the
 * variance), as FPP3 §7.5 writes it. The RSS is floored at a tiny fraction of
 * the data's scale so exact fits tie and the penalty picks the smallest one.
 */
export function aicc(rss: number, n: number, p: number, scale: number): number {
  const k = p + 1;
  const floor = n * (1e-9 * (1 + scale)) ** 2;
  return n * Math.log(Math.max(rss, floor) / n) + 2 * k + (2 * k * (k + 1)) / (n - k - 1);
}

/** Whether a spec leaves enough points for AICc and a residual variance (n - p - 2 ≥ 1). */
export function fits(spec: RegressionSpec, n: number): boolean {
  return n - columns(spec) - 2 >= 1;
}

/** Fits one regression by least squares. */
export function fitRegression(z: readonly number[], spec: RegressionSpec): RegressionModel {
  const n = z.length;
  const p = columns(spec);
  const X = z.map((_, t) => designRow(t, n, spec));
  const fit = leastSquares(X, z);
  const df = n - p;
  const scale = z.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  return {
    spec,
    n,
    fit,
    sigma: Math.sqrt(fit.rss / df),
    df,
    aicc: aicc(fit.rss, n, p, scale),
  };
}

/** The candidate with the lowest AICc (the first on ties, so list simpler specs first). */
export function selectRegression(
  z: readonly number[],
  candidates: readonly RegressionSpec[],
): RegressionModel {
  let best: RegressionModel | undefined;
  for (const spec of candidates) {
    if (!fits(spec, z.length)) continue;
    const model = fitRegression(z, spec);
    if (!best || model.aicc < best.aicc) best = model;
  }
  if (!best) throw new RangeError(`no candidate model fits ${z.length} points`);
  return best;
}

/**
 * The h-step forecasts 1..horizon: centre x0·beta and standard deviation
 * sigma·sqrt(1 + x0'(X'X)^-1 x0), the new error plus the coefficients' own
 * uncertainty (which grows as the trend is extrapolated).
 */
export function regressionForecast(
  model: RegressionModel,
  horizon: number,
): { center: number; sd: number }[] {
  return Array.from({ length: horizon }, (_, i) => {
    const x0 = designRow(model.n - 1 + i + 1, model.n, model.spec);
    const center = x0.reduce((s, x, j) => s + x * model.fit.beta[j]!, 0);
    return { center, sd: model.sigma * Math.sqrt(1 + model.fit.leverage(x0)) };
  });
}
