import { describe, expect, it } from 'vitest';
import {
  aicc,
  columns,
  designRow,
  fitRegression,
  parameters,
  regressionForecast,
  selectRegression,
  WEEKLY_PERIOD,
} from './regression.js';
import { gaussian, uniform } from './synthetic.js';

describe('designRow', () => {
  it('has an intercept, a scaled trend and K sin/cos pairs', () => {
    const row = designRow(13, 52, { trend: true, harmonics: 2 });
    expect(row).toHaveLength(columns({ trend: true, harmonics: 2 }));
    expect(row.slice(0, 2)).toEqual([1, 0.25]);
    expect(row[2]).toBeCloseTo(Math.sin((2 * Math.PI * 13) / WEEKLY_PERIOD), 12);
    expect(row[5]).toBeCloseTo(Math.cos((4 * Math.PI * 13) / WEEKLY_PERIOD), 12);
  });
});

describe('AICc selection', () => {
  it('penalises parameters as FPP3 writes it', () => {
    // n = 20, two coefficients and the variance (k = 3): 20 ln(RSS/20) + 6 + 24/16.
    expect(aicc(20, 20, 3, 1)).toBeCloseTo(6 + 24 / 16, 12);
    expect(aicc(20, 20, 3, 1, 0.5)).toBeCloseTo(6.5 + 24 / 16, 12);
    expect(parameters({ trend: true, harmonics: 2, ar1: true })).toBe(8);
  });

  it('picks the number of harmonics that generated a noisy series', () => {
    const rand = uniform(17);
    const z = Array.from(
      { length: 260 },
      (_, t) =>
        5 +
        0.002 * t +
        Math.sin((2 * Math.PI * t) / WEEKLY_PERIOD) +
        0.6 * Math.cos((6 * Math.PI * t) / WEEKLY_PERIOD) +
        0.3 * gaussian(rand),
    );
    const specs = Array.from({ length: 11 }, (_, k) => ({ trend: true, harmonics: k }));
    expect(selectRegression(z, specs).spec.harmonics).toBe(3);
  });

  it('skips candidates a short series cannot carry and throws when none fits', () => {
    const z = [1, 2, 3, 4, 5];
    const model = selectRegression(z, [
      { trend: true, harmonics: 5 },
      { trend: false, harmonics: 0 },
    ]);
    expect(model.spec).toEqual({ trend: false, harmonics: 0 });
    expect(() => selectRegression([1, 2], [{ trend: true, harmonics: 0 }])).toThrow(RangeError);
  });
});

describe('regressionForecast', () => {
  it('grows its sd as the trend is extrapolated, from sigma·sqrt(1 + 1/n) for the mean model', () => {
    const rand = uniform(2);
    const z = Array.from({ length: 40 }, () => 10 + gaussian(rand));
    const mean = fitRegression(z, { trend: false, harmonics: 0 });
    const [f] = regressionForecast(mean, 1);
    expect(f!.center).toBeCloseTo(z.reduce((a, b) => a + b, 0) / 40, 9);
    expect(f!.sd).toBeCloseTo(mean.sigma * Math.sqrt(1 + 1 / 40), 9);
    const trend = fitRegression(z, { trend: true, harmonics: 0 });
    const sds = regressionForecast(trend, 8).map((p) => p.sd);
    sds.slice(1).forEach((sd, i) => expect(sd).toBeGreaterThan(sds[i]!));
  });
});
