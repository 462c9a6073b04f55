import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecastWeekly } from './forecast.js';
import { addWeeks } from './iso-week.js';
import { WEEKLY_PERIOD } from './regression.js';
import { poisson, seasonalMean, uniform, weeklySeries } from './synthetic.js';
import type { ForecastPoint } from './types.js';

const angle = (t: number) => (2 * Math.PI * t) / WEEKLY_PERIOD;

/**
 * Finite, ordered bounds; the mean inside the 80% interval, or within half a
 * count of it when the bounds are rounded (an 80% interval [0, 0] with mean
 * 0.15 is right for a count that is 0 eight weeks in ten).
 */
function expectCoherent(p: ForecastPoint, nonNegative: boolean, slack = 1e-9) {
  for (const v of [p.mean, p.lower80, p.upper80, p.lower95, p.upper95]) {
    expect(Number.isFinite(v)).toBe(true);
    if (nonNegative) expect(v).toBeGreaterThanOrEqual(0);
  }
  expect(p.lower95).toBeLessThanOrEqual(p.lower80);
  expect(p.lower80).toBeLessThanOrEqual(p.mean + slack);
  expect(p.mean).toBeLessThanOrEqual(p.upper80 + slack);
  expect(p.upper80).toBeLessThanOrEqual(p.upper95);
}

describe('forecastWeekly', () => {
  it('recovers a noiseless trend plus two harmonics exactly, with collapsed intervals', () => {
    const truth = (t: number) =>
      40 + 0.05 * t + 3 * Math.sin(angle(t)) - 2 * Math.cos(angle(2 * t));
    const history = weeklySeries('2021-01-04', 208, truth);
    const f = forecastWeekly(history, 8, { transform: 'none' });
    expect(f.method).toBe('harmonic-regression');
    expect(f.fit?.harmonics).toBe(2);
    f.points.forEach((p, i) => {
      expect(p.week).toBe(addWeeks('2021-01-04', 208 + i));
      expect(p.mean).toBeCloseTo(truth(208 + i), 6);
      expect(p.upper95 - p.lower95).toBeLessThan(1e-6);
    });
  });

  it('recovers a noiseless series that is a trend plus sinusoid on the square-root scale', () => {
    const truth = (t: number) => (6 + 0.01 * t + 1.5 * Math.sin(angle(t) + 0.3)) ** 2;
    const f = forecastWeekly(weeklySeries('2020-06-01', 160, truth), 4);
    expect(f.fit).toMatchObject({ transform: 'sqrt', harmonics: 1 });
    f.points.forEach((p, i) => expect(p.mean).toBeCloseTo(truth(160 + i), 6));
  });

  it('covers about 95% (and 80%) of held-out Poisson seasonal counts over many seeds', () => {
    const hits = { continuous: [0, 0], rounded: [0, 0] };
    let total = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const rand = uniform(seed);
      const shape = { level: 5 + 40 * rand(), amplitude: 0.5 * rand(), phase: 6 * rand() };
      const y = weeklySeries('2019-01-07', 164, (t) => poisson(rand, seasonalMean(t, shape)));
      const variants = {
        continuous: forecastWeekly(y.slice(0, 156), 8, { integerBounds: false }),
        rounded: forecastWeekly(y.slice(0, 156), 8),
      };
      for (let h = 0; h < 8; h++) {
        const actual = y[156 + h]!.value;
        total++;
        for (const v of ['continuous', 'rounded'] as const) {
          const p = variants[v].points[h]!;
          if (actual >= p.lower80 && actual <= p.upper80) hits[v][0]!++;
          if (actual >= p.lower95 && actual <= p.upper95) hits[v][1]!++;
        }
      }
    }
    const [c80, c95] = hits.continuous.map((k) => k / total);
    const [r80, r95] = hits.rounded.map((k) => k / total);
    expect(c95).toBeGreaterThan(0.93);
    expect(c95).toBeLessThan(0.965);
    expect(c80).toBeGreaterThan(0.77);
    expect(c80).toBeLessThan(0.83);
    // Integer bounds only add coverage, and not much.
    expect(r95).toBeGreaterThanOrEqual(c95!);
    expect(r95).toBeLessThan(0.98);
    expect(r80).toBeGreaterThanOrEqual(c80!);
    expect(r80).toBeLessThan(0.88);
  });

  it('gives sparse counts integer intervals that reach the counts that occur', () => {
    let in95 = 0;
    let total = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const rand = uniform(1000 + seed);
      const y = weeklySeries('2020-01-06', 164, () => poisson(rand, 0.15));
      const f = forecastWeekly(y.slice(0, 156), 8);
      f.points.forEach((p, h) => {
        expect(Number.isInteger(p.lower95) && Number.isInteger(p.upper95)).toBe(true);
        total++;
        if (y[156 + h]!.value <= p.upper95) in95++;
      });
    }
    expect(in95 / total).toBeGreaterThan(0.95);
  });

  it('falls back to naive under 8 points and to trend or mean under two seasons', () => {
    const one = forecastWeekly([{ week: '2025-12-29', value: 4 }], 3);
    expect(one.method).toBe('naive');
    expect(one.points.map((p) => p.week)).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
    expect(one.points[0]!.lower95).toBeLessThan(4);
    expect(one.points[0]!.upper95).toBeGreaterThan(4);
    const seasonal = (t: number) => 20 + 10 * Math.sin(angle(t));
    expect(forecastWeekly(weeklySeries('2024-01-01', 7, seasonal), 2).method).toBe('naive');
    const rising = weeklySeries('2024-01-01', 60, (t) => 10 + t);
    expect(forecastWeekly(rising, 2).method).toBe('trend');
    expect(forecastWeekly(rising, 1, { transform: 'none' }).points[0]!.mean).toBeCloseTo(70, 6);
    const flat = weeklySeries('2024-01-01', 60, (t) => (t % 2 ? 9 : 11));
    expect(forecastWeekly(flat, 1).method).toBe('mean');
    const plain = { transform: 'none' } as const;
    expect(forecastWeekly(weeklySeries('2020-01-06', 104, seasonal), 1, plain).fit?.harmonics).toBe(
      0,
    );
    expect(forecastWeekly(weeklySeries('2020-01-06', 105, seasonal), 1, plain).fit?.harmonics).toBe(
      1,
    );
  });

  it('widens its intervals with the horizon and keeps counts at or above zero', () => {
    const rand = uniform(9);
    const y = weeklySeries('2021-01-04', 120, () => poisson(rand, 0.7));
    const f = forecastWeekly(y, 8);
    f.points.forEach((p) => expectCoherent(p, true, 0.5));
    const widths = f.points.map((p) => p.upper95 - p.lower95);
    expect(widths[7]!).toBeGreaterThanOrEqual(widths[0]!);
  });

  it('never gives NaN and keeps its intervals ordered for any series', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 260 }),
        fc.integer({ min: 1, max: 10 }),
        (values, horizon) => {
          const f = forecastWeekly(
            weeklySeries('2020-12-28', values.length, (t) => values[t]!),
            horizon,
          );
          expect(f.points).toHaveLength(horizon);
          f.points.forEach((p) => expectCoherent(p, true, 0.5));
        },
      ),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 150 }),
        (values) => {
          const f = forecastWeekly(
            weeklySeries('2020-12-28', values.length, (t) => values[t]!),
            3,
          );
          const slack = values.every(Number.isInteger) ? 0.5 : 1e-9;
          f.points.forEach((p) =>
            expectCoherent(
              p,
              values.every((v) => v >= 0),
              slack,
            ),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is deterministic and rejects what it cannot forecast', () => {
    const rand = uniform(3);
    const y = weeklySeries('2021-01-04', 150, (t) =>
      poisson(rand, seasonalMean(t, { level: 20, amplitude: 0.3 })),
    );
    expect(forecastWeekly(y, 6)).toEqual(forecastWeekly(y, 6));
    expect(() => forecastWeekly([], 4)).toThrow(RangeError);
    expect(() => forecastWeekly(y, 1.5)).toThrow(RangeError);
    expect(() =>
      forecastWeekly([{ week: '2024-01-01', value: -1 }], 1, { transform: 'sqrt' }),
    ).toThrow(RangeError);
  });
});
