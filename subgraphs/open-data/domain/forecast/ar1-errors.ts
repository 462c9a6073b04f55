/**
 * AR(1) regression errors (the "dynamic" in dynamic harmonic regression,
 * FPP3 §10.2, reduced to its commonest case): weekly counts drift around
 * their trend and season for weeks at a time, so residuals are correlated,
 * the last one says something about the next weeks, and ignoring it makes
 * AICc mistake the drift for extra harmonics. Fitted by feasible GLS: phi
 * from the OLS residuals' lag-1 regression, then the Prais–Winsten transform
 * (rows z_t - phi·z_{t-1}, the first scaled by sqrt(1 - phi²)) turns the
 * model into OLS with white errors. Whether AR(1) errors are used at all is
 * left to AICc (regression.ts).
 */

/** The largest |phi| used, so forecasts revert to the regression rather than walk. */
export const MAX_PHI = 0.95;

/** The lag-1 least-squares coefficient of a residual series, capped at ±MAX_PHI (0 if undefined). */
export function estimatePhi(residuals: readonly number[]): number {
  let num = 0;
  let den = 0;
  for (let t = 1; t < residuals.length; t++) {
    num += residuals[t]! * residuals[t - 1]!;
    den += residuals[t - 1]! ** 2;
  }
  if (den === 0) return 0;
  return Math.max(-MAX_PHI, Math.min(MAX_PHI, num / den));
}

/** The Prais–Winsten transform of rows (a design, or a series as rows of one). */
export function praisWinsten(rows: readonly (readonly number[])[], phi: number): number[][] {
  const s = Math.sqrt(1 - phi * phi);
  return rows.map((row, t) =>
    t === 0 ? row.map((x) => s * x) : row.map((x, j) => x - phi * rows[t - 1]![j]!),
  );
}

/**
 * The AR(1) part of the h-step forecast: the mean shift phi^h·last (the last
 * regression residual) and the variance factor 1 + phi² + … + phi^(2(h-1))
 * of the innovation variance.
 */
export function ar1Step(phi: number, last: number, h: number): { shift: number; factor: number } {
  let factor = 0;
  for (let j = 0; j < h; j++) factor += phi ** (2 * j);
  return { shift: phi ** h * last, factor };
}
