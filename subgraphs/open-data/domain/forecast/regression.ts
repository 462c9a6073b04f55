import { ar1Step, estimatePhi, praisWinsten } from './ar1-errors.js';
import { leastSquares, type LeastSquaresFit } from './least-squares.js';

/** Weeks in a year: the seasonal period of weekly data (FPP3 §12.1). */
export const WEEKLY_PERIOD = 365.25 / 7;

/** A regression on time: intercept, optionally a linear trend, K Fourier pairs, and the errors. */
export interface RegressionSpec {
  trend: boolean;
  harmonics: number;
  /** AR(1) errors (ar1-errors.ts) rather than white noise. */
  ar1?: boolean;
}

/** A fitted regression on a series (on whatever scale it was given). */
export interface RegressionModel {
  spec: RegressionSpec;
  n: number;
  /** The least-squares fit (of the Prais–Winsten rows with AR(1) errors). */
  fit: LeastSquaresFit;
  /** Innovation standard error `sqrt(rss / df)`. */
  sigma: number;
  /** Residual degrees of freedom n - p (one fewer with AR(1) errors, for phi). */
  df: number;
  aicc: number;
  /** The AR(1) coefficient (0 for white errors). */
  phi: number;
  /** The last regression residual z_n - x_n·beta, which AR(1) forecasts decay from. */
  last: number;
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
 * AICc of a Gaussian linear model with k estimated parameters (coefficients,
 * phi, the variance), as FPP3 §7.5 writes it; `logDet` is the AR(1) term
 * -ln(1 - phi²) of -2·log-likelihood (0 for white errors). The RSS is floored
 * at a tiny fraction of the data's scale so exact fits tie and the penalty
 * picks the smallest model.
 */
export function aicc(rss: number, n: number, k: number, scale: number, logDet = 0): number {
  const floor = n * (1e-9 * (1 + scale)) ** 2;
  return n * Math.log(Math.max(rss, floor) / n) + logDet + 2 * k + (2 * k * (k + 1)) / (n - k - 1);
}

/** Parameters AICc counts: coefficients, phi if AR(1), and the variance. */
export function parameters(spec: RegressionSpec): number {
  return columns(spec) + (spec.ar1 ? 1 : 0) + 1;
}

/** Whether a spec leaves enough points for AICc and a residual variance. */
export function fits(spec: RegressionSpec, n: number): boolean {
  return n - parameters(spec) - 1 >= 1;
}

/** Fits one regression: OLS, or feasible GLS with AR(1) errors. */
export function fitRegression(z: readonly number[], spec: RegressionSpec): RegressionModel {
  const n = z.length;
  const X = z.map((_, t) => designRow(t, n, spec));
  const scale = z.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const ols = leastSquares(X, z);
  const k = parameters(spec);
  const df = n - (k - 1);
  const lastOf = (beta: readonly number[]) =>
    z[n - 1]! - X[n - 1]!.reduce((s, x, j) => s + x * beta[j]!, 0);
  if (!spec.ar1) {
    return {
      spec,
      n,
      fit: ols,
      sigma: Math.sqrt(ols.rss / df),
      df,
      aicc: aicc(ols.rss, n, k, scale),
      phi: 0,
      last: lastOf(ols.beta),
    };
  }
  const phi = estimatePhi(z.map((v, t) => v - ols.fitted[t]!));
  const gls = leastSquares(
    praisWinsten(X, phi),
    praisWinsten(
      z.map((v) => [v]),
      phi,
    ).map((r) => r[0]!),
  );
  return {
    spec,
    n,
    fit: gls,
    sigma: Math.sqrt(gls.rss / df),
    df,
    aicc: aicc(gls.rss, n, k, scale, -Math.log(1 - phi * phi)),
    phi,
    last: lastOf(gls.beta),
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
 * The h-step forecasts 1..horizon: centre x0·beta (plus phi^h times the last
 * residual with AR(1) errors) and standard deviation
 * sigma·sqrt(f_h + x0'(X'X)^-1 x0): the new errors (f_h = 1, or the AR(1)
 * sum 1 + phi² + … + phi^(2(h-1))) plus the coefficients' own uncertainty,
 * which grows as the trend is extrapolated (X is the GLS-transformed design
 * with AR(1) errors).
 */
export function regressionForecast(
  model: RegressionModel,
  horizon: number,
): { center: number; sd: number; df: number }[] {
  return Array.from({ length: horizon }, (_, i) => {
    const x0 = designRow(model.n + i, model.n, model.spec);
    const step = ar1Step(model.phi, model.last, i + 1);
    const center = x0.reduce((s, x, j) => s + x * model.fit.beta[j]!, 0) + step.shift;
    const sd = model.sigma * Math.sqrt(step.factor + model.fit.leverage(x0));
    return { center, sd, df: model.df };
  });
}
