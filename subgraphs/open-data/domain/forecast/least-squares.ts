/**
 * Ordinary least squares by Householder QR, with a tiny ridge so a
 * rank-deficient design (a short series where a Fourier column is nearly a
 * trend) still has one answer instead of a division by zero. The ridge is
 * solved as extra rows `sqrt(ridge)·I` under the design, so QR never forms
 * X'X and keeps its accuracy. The fit answers leverages
 * `x0' (X'X + ridge·I)^-1 x0` for prediction intervals.
 */

export interface LeastSquaresFit {
  /** Coefficients, one per design column. */
  beta: number[];
  /** Fitted values `X·beta`. */
  fitted: number[];
  /** Residual sum of squares `|y - X·beta|²` (the ridge rows not counted). */
  rss: number;
  /** `x0' (X'X + ridge·I)^-1 x0` for a row of the same columns. */
  leverage(x0: readonly number[]): number;
}

/** Default ridge: negligible beside columns scaled to about ±1, large enough to keep R invertible. */
export const DEFAULT_RIDGE = 1e-9;

/** Least squares `min |y - X·beta|² + ridge·|beta|²` for an n×p design (rows of equal length). */
export function leastSquares(
  X: readonly (readonly number[])[],
  y: readonly number[],
  ridge = DEFAULT_RIDGE,
): LeastSquaresFit {
  const n = X.length;
  const p = X[0]?.length ?? 0;
  if (n !== y.length) throw new RangeError(`design has ${n} rows, y has ${y.length}`);
  if (p === 0) throw new RangeError('design has no columns');
  const m = n + p;
  // Column-major copy of [X; sqrt(ridge)·I] and [y; 0].
  const a = Array.from({ length: p }, (_, j) => {
    const col = new Float64Array(m);
    for (let i = 0; i < n; i++) col[i] = X[i]![j]!;
    col[n + j] = Math.sqrt(ridge);
    return col;
  });
  const b = new Float64Array(m);
  y.forEach((v, i) => (b[i] = v));
  for (let k = 0; k < p; k++) householderStep(a, b, k, m);
  const r = (i: number, j: number) => a[j]![i]!;
  const beta = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let j = i + 1; j < p; j++) s -= r(i, j) * beta[j]!;
    beta[i] = s / r(i, i);
  }
  const fitted = X.map((row) => row.reduce((s, x, j) => s + x * beta[j]!, 0));
  const rss = fitted.reduce((s, f, i) => s + (y[i]! - f) ** 2, 0);
  const leverage = (x0: readonly number[]): number => {
    // Solve R' z = x0; then x0'(R'R)^-1 x0 = |z|².
    const z = new Array<number>(p).fill(0);
    let sum = 0;
    for (let i = 0; i < p; i++) {
      let s = x0[i] ?? 0;
      for (let j = 0; j < i; j++) s -= r(j, i) * z[j]!;
      const zi = s / r(i, i);
      z[i] = zi;
      sum += zi * zi;
    }
    return sum;
  };
  return { beta, fitted, rss, leverage };
}

/** Zeroes column k below the diagonal with one Householder reflection, applied to the rest and to b. */
function householderStep(a: Float64Array[], b: Float64Array, k: number, m: number): void {
  const col = a[k]!;
  let norm = 0;
  for (let i = k; i < m; i++) norm += col[i]! ** 2;
  norm = Math.sqrt(norm);
  if (norm === 0) return;
  const alpha = col[k]! > 0 ? -norm : norm;
  // v = col[k..] - alpha·e1, kept in col[k..]; R[k][k] = alpha afterwards.
  col[k] = col[k]! - alpha;
  let vv = 0;
  for (let i = k; i < m; i++) vv += col[i]! ** 2;
  const reflect = (target: Float64Array) => {
    let dot = 0;
    for (let i = k; i < m; i++) dot += col[i]! * target[i]!;
    const f = (2 * dot) / vv;
    for (let i = k; i < m; i++) target[i] = target[i]! - f * col[i]!;
  };
  for (let j = k + 1; j < a.length; j++) reflect(a[j]!);
  reflect(b);
  col[k] = alpha;
}
