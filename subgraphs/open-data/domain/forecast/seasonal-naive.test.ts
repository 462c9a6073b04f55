import { describe, expect, it } from 'vitest';
import { seasonalNaive } from './seasonal-naive.js';
import { weeklySeries } from './synthetic.js';

describe('seasonalNaive', () => {
  it('repeats the value 52 weeks earlier, two seasons back beyond a season ahead', () => {
    const y = weeklySeries('2023-01-02', 60, (t) => t);
    const f = seasonalNaive(y, 54);
    expect(f.method).toBe('seasonal-naive');
    expect(f.points[0]!.mean).toBe(8); // week 60 repeats week 8
    expect(f.points[51]!.mean).toBe(59);
    expect(f.points[52]!.mean).toBe(8); // week 112 repeats week 8 (two seasons back)
    expect(f.points[0]!.week).toBe('2024-02-26');
  });

  it('takes its intervals from the quantiles of the seasonal differences', () => {
    // Seasonal differences y[t] - y[t-52] for t = 52..151 are 0..99 (each once).
    const values: number[] = [];
    // Not integers, so the bounds are not rounded (that is tested below).
    for (let t = 0; t < 152; t++) values.push(t < 52 ? 100.5 : values[t - 52]! + (t - 52));
    const y = weeklySeries('2022-01-03', 152, (t) => values[t]!);
    const [p] = seasonalNaive(y, 1).points;
    const point = y[152 - 52]!.value;
    expect(p!.mean).toBe(point);
    expect(p!.lower80).toBeCloseTo(point + 9.9, 9);
    expect(p!.upper80).toBeCloseTo(point + 89.1, 9);
    expect(p!.lower95).toBeCloseTo(point + 2.475, 9);
    expect(p!.upper95).toBeCloseTo(point + 96.525, 9);
    const counts = seasonalNaive(
      weeklySeries('2022-01-03', 152, (t) => values[t]! - 0.5),
      1,
    ).points[0]!;
    expect([counts.lower80, counts.upper80, counts.lower95, counts.upper95]).toEqual([
      point - 0.5 + 10,
      point - 0.5 + 89,
      point - 0.5 + 2,
      point - 0.5 + 97,
    ]);
  });

  it('is naive (last value, one-step differences) for a season or less, clamped at zero', () => {
    const y = weeklySeries('2025-01-06', 10, (t) => (t % 2 ? 0 : 6));
    const f = seasonalNaive(y, 3);
    expect(f.points.map((p) => p.mean)).toEqual([0, 0, 0]);
    expect(f.points[0]!.lower95).toBe(0);
    expect(f.points[0]!.upper95).toBeGreaterThan(0);
    expect(f.points[2]!.upper95).toBeGreaterThan(f.points[0]!.upper95);
    const single = seasonalNaive([{ week: '2025-01-06', value: 3 }], 1).points[0]!;
    expect([single.lower95, single.mean, single.upper95]).toEqual([3, 3, 3]);
    expect(() => seasonalNaive([], 1)).toThrow(RangeError);
  });
});
