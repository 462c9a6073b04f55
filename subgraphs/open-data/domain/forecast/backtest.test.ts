import { describe, expect, it } from 'vitest';
import { backtest } from './backtest.js';
import { forecastWeekly } from './forecast.js';
import { gaussian, poisson, seasonalMean, uniform, weeklySeries } from './synthetic.js';

const opts = { horizon: 8, origins: 13, step: 4 };

describe('backtest', () => {
  it('beats the seasonal-naive baseline on a smooth seasonal series with noise', () => {
    const rand = uniform(42);
    const y = weeklySeries('2020-01-06', 260, (t) =>
      Math.round(
        seasonalMean(t, { level: 80, amplitude: 0.35, growth: 0.001 }) + 4 * gaussian(rand),
      ),
    );
    const r = backtest(y, opts);
    expect(r.origins).toBe(13);
    expect(r.method).toBe('harmonic-regression');
    expect(r.model.mae).toBeLessThan(0.8 * r.baseline.mae);
    expect(r.model.rmse).toBeLessThan(r.baseline.rmse);
    expect(r.model.mase!).toBeLessThan(r.baseline.mase!);
    expect(r.model.coverage95).toBeGreaterThan(0.85);
    expect(r.byHorizon.map((b) => b.h)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('scores a series that repeats every 52 weeks as perfect for the baseline (MASE undefined)', () => {
    const pattern = Array.from({ length: 52 }, (_, i) => (i * 37) % 11);
    const y = weeklySeries('2021-01-04', 200, (t) => pattern[t % 52]!);
    const r = backtest(y, opts);
    // The in-sample seasonal-naive MAE is 0 at every origin: nothing to scale by.
    expect(r.baseline).toEqual({ mae: 0, rmse: 0, mase: null, coverage80: 1, coverage95: 1 });
  });

  it('computes MAE, RMSE, MASE and coverage by hand for a stub model', () => {
    // Naive-scaled (the training series is under a season): scale = mean |diff| = 2.
    const y = weeklySeries('2024-01-01', 12, (t) => 2 * t);
    const stub = (h: readonly { week: string; value: number }[], horizon: number) => ({
      method: 'mean' as const,
      fit: null,
      points: Array.from({ length: horizon }, () => ({
        week: h[0]!.week,
        mean: 10,
        lower80: 9,
        upper80: 30,
        lower95: 0,
        upper95: 30,
      })),
    });
    const r = backtest(y, { horizon: 2, origins: 1, step: 1, model: stub });
    // Origin 10: actuals 20 and 22; errors 10 and 12.
    expect(r.model.mae).toBe(11);
    expect(r.model.rmse).toBeCloseTo(Math.sqrt((100 + 144) / 2), 12);
    expect(r.model.mase).toBe(5.5);
    expect(r.model.coverage80).toBe(1);
    // The baseline is naive: 18 for both, errors 2 and 4.
    expect(r.baseline.mae).toBe(3);
  });

  it('drops origins a short series cannot give and throws when none is left', () => {
    const rand = uniform(5);
    const y = weeklySeries('2025-01-06', 30, () => poisson(rand, 4));
    expect(backtest(y, { ...opts, minTrain: 8 }).origins).toBe(4);
    expect(() => backtest(y.slice(0, 8), opts)).toThrow(RangeError);
    expect(() => backtest(y, { ...opts, step: 0 })).toThrow(RangeError);
  });

  it('is deterministic and never NaN on sparse counts', () => {
    const rand = uniform(11);
    const y = weeklySeries('2019-12-30', 200, (t) =>
      poisson(rand, seasonalMean(t, { level: 0.4, amplitude: 0.8 })),
    );
    const a = backtest(y, opts);
    expect(a).toEqual(backtest(y, { ...opts, model: forecastWeekly }));
    for (const acc of [a.model, a.baseline]) {
      for (const v of Object.values(acc)) expect(v === null || Number.isFinite(v)).toBe(true);
    }
  });
});
