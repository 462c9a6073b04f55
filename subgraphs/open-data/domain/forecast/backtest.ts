import { AccuracyTally, maseScale, type Accuracy } from './accuracy.js';
import { forecastWeekly } from './forecast.js';
import { seasonalNaive } from './seasonal-naive.js';
import { gridValues } from './series.js';
import type { Forecast, WeeklyPoint } from './types.js';

export interface BacktestOptions {
  /** Weeks ahead forecast from each origin (h = 1..horizon). */
  horizon: number;
  /** How many forecast origins, counted back from the latest one. */
  origins: number;
  /** Weeks between consecutive origins. */
  step: number;
  /** Least training points an origin may have (default 1). */
  minTrain?: number;
  /** The model under test (default forecastWeekly). */
  model?: (history: readonly WeeklyPoint[], horizon: number) => Forecast;
}

export interface BacktestResult {
  model: Accuracy;
  baseline: Accuracy;
  /** Per horizon h = 1..horizon. */
  byHorizon: { h: number; model: Accuracy; baseline: Accuracy }[];
  /** Origins actually used (some fall away on a short series). */
  origins: number;
  horizon: number;
  /** The model's method at the latest origin. */
  method: Forecast['method'];
  /** How the model was fitted at the latest origin. */
  fit: Forecast['fit'];
}

/**
 * Rolling-origin evaluation (time-series cross-validation, FPP3 §5.10): at
 * each origin the model and the seasonal-naive baseline see only the weeks
 * before it and forecast the next `horizon`, every one of which is known. The
 * latest origin leaves exactly `horizon` weeks; earlier ones are `step` weeks
 * apart (e.g. origins 13, step 4: the last year). Errors are pooled over all
 * origins and horizons. Throws RangeError when no origin fits.
 */
export function backtest(history: readonly WeeklyPoint[], opts: BacktestOptions): BacktestResult {
  const { horizon, step } = opts;
  if (!Number.isInteger(horizon) || horizon < 1 || !Number.isInteger(step) || step < 1) {
    throw new RangeError('horizon and step must be whole numbers of weeks, at least 1');
  }
  const y = gridValues(history);
  const model = opts.model ?? forecastWeekly;
  const starts: number[] = [];
  for (let j = opts.origins - 1; j >= 0; j--) {
    const origin = y.length - horizon - j * step;
    if (origin >= Math.max(opts.minTrain ?? 1, 1)) starts.push(origin);
  }
  if (!starts.length) {
    throw new RangeError(`a series of ${y.length} weeks has no origin for horizon ${horizon}`);
  }
  const pooled = { model: new AccuracyTally(), baseline: new AccuracyTally() };
  const perH = Array.from({ length: horizon }, () => ({
    model: new AccuracyTally(),
    baseline: new AccuracyTally(),
  }));
  let latest: Forecast | undefined;
  for (const origin of starts) {
    const train = history.slice(0, origin);
    const scale = maseScale(y.slice(0, origin));
    const m = model(train, horizon);
    const b = seasonalNaive(train, horizon);
    latest = m;
    for (let h = 0; h < horizon; h++) {
      const actual = y[origin + h]!;
      pooled.model.add(m.points[h]!, actual, scale);
      pooled.baseline.add(b.points[h]!, actual, scale);
      perH[h]!.model.add(m.points[h]!, actual, scale);
      perH[h]!.baseline.add(b.points[h]!, actual, scale);
    }
  }
  return {
    model: pooled.model.summary(),
    baseline: pooled.baseline.summary(),
    byHorizon: perH.map((t, h) => ({
      h: h + 1,
      model: t.model.summary(),
      baseline: t.baseline.summary(),
    })),
    origins: starts.length,
    horizon,
    method: latest!.method,
    fit: latest!.fit,
  };
}
