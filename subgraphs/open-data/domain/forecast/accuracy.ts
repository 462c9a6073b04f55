import { SEASON_WEEKS } from './seasonal-naive.js';
import { lagDifferences, mean } from './stats.js';
import type { ForecastPoint } from './types.js';

/** Point and interval accuracy of a set of forecasts against what happened. */
export interface Accuracy {
  mae: number;
  rmse: number;
  /**
   * Mean absolute scaled error (Hyndman & Koehler 2006): each error over the
   * in-sample MAE of the seasonal-naive forecast of its training series; null
   * when every training series was constant (nothing to scale by).
   */
  mase: number | null;
  /** Share of actual values inside the 80% interval (bounds included). */
  coverage80: number;
  /** Share of actual values inside the 95% interval (bounds included). */
  coverage95: number;
}

/**
 * The scale of MASE for a training series: the in-sample MAE of the
 * seasonal-naive forecast (lag 52), or of the naive one (lag 1) for a season
 * or less; 0 when there is nothing to compare.
 */
export function maseScale(train: readonly number[]): number {
  const m = train.length > SEASON_WEEKS ? SEASON_WEEKS : 1;
  return mean(lagDifferences(train, m).map(Math.abs));
}

/** Collects (forecast, actual, scale) triples and summarises them. */
export class AccuracyTally {
  private absolute: number[] = [];
  private squared: number[] = [];
  private scaled: number[] = [];
  private in80 = 0;
  private in95 = 0;

  add(p: ForecastPoint, actual: number, scale: number): void {
    const e = actual - p.mean;
    this.absolute.push(Math.abs(e));
    this.squared.push(e * e);
    if (scale > 0) this.scaled.push(Math.abs(e) / scale);
    if (actual >= p.lower80 && actual <= p.upper80) this.in80++;
    if (actual >= p.lower95 && actual <= p.upper95) this.in95++;
  }

  get count(): number {
    return this.absolute.length;
  }

  summary(): Accuracy {
    const n = Math.max(this.count, 1);
    return {
      mae: mean(this.absolute),
      rmse: Math.sqrt(mean(this.squared)),
      mase: this.scaled.length ? mean(this.scaled) : null,
      coverage80: this.in80 / n,
      coverage95: this.in95 / n,
    };
  }
}
