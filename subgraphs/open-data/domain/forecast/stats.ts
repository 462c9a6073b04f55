/** Small descriptive statistics shared by the forecasting modules. */

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/**
 * The p-quantile of values by linear interpolation between order statistics
 * (Hyndman & Fan type 7, R's default); 0 for no values.
 */
export function quantile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(Math.max(p, 0), 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Lag-m differences y[t] - y[t-m] for t ≥ m. */
export function lagDifferences(values: readonly number[], m: number): number[] {
  const out: number[] = [];
  for (let t = m; t < values.length; t++) out.push(values[t]! - values[t - m]!);
  return out;
}
