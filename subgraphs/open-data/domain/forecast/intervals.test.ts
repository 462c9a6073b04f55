import { describe, expect, it } from 'vitest';
import { forecastPoint, roundBounds, toScale, valueKind } from './intervals.js';
import { tQuantile } from './student-t.js';

const real = { nonNegative: false, integer: false };

describe('forecastPoint', () => {
  it('is centre ± t(df)·sd on the original scale', () => {
    const p = forecastPoint({ week: '2025-01-06', center: 10, sd: 2, df: 12 }, 'none', real);
    expect(p.mean).toBe(10);
    expect(p.upper95 - 10).toBeCloseTo(2 * tQuantile(0.975, 12), 12);
    expect(10 - p.lower80).toBeCloseTo(2 * tQuantile(0.9, 12), 12);
  });

  it('squares bounds back from the sqrt scale and adds the variance to the mean', () => {
    const kind = { nonNegative: true, integer: false };
    const p = forecastPoint({ week: '2025-01-06', center: 5, sd: 0.5, df: 200 }, 'sqrt', kind);
    expect(p.mean).toBeCloseTo(25.25, 12);
    expect(p.upper95).toBeCloseTo((5 + 0.5 * tQuantile(0.975, 200)) ** 2, 12);
    expect(p.lower95).toBeCloseTo((5 - 0.5 * tQuantile(0.975, 200)) ** 2, 12);
    // A centre below zero: bounds at 0, the mean held inside the 80% interval.
    const low = forecastPoint({ week: '2025-01-06', center: -1, sd: 0.5, df: 200 }, 'sqrt', kind);
    expect([low.lower95, low.lower80, low.upper80, low.mean]).toEqual([0, 0, 0, 0]);
    expect(low.upper95).toBe(0);
  });

  it('clamps non-negative series at 0 and rounds integer ones', () => {
    const p = forecastPoint({ week: '2025-01-06', center: 1, sd: 2, df: 30 }, 'none', {
      nonNegative: true,
      integer: true,
    });
    expect(p.lower95).toBe(0);
    expect(p.mean).toBe(1);
    expect(Number.isInteger(p.upper80) && Number.isInteger(p.upper95)).toBe(true);
    expect(p.upper95).toBe(Math.round(1 + 2 * tQuantile(0.975, 30)));
  });

  it('collapses to the centre with no uncertainty', () => {
    const p = forecastPoint({ week: '2025-01-06', center: 3, sd: 0, df: 5 }, 'sqrt', {
      nonNegative: true,
      integer: false,
    });
    expect([p.lower95, p.lower80, p.mean, p.upper80, p.upper95]).toEqual([9, 9, 9, 9, 9]);
  });
});

describe('valueKind, roundBounds and toScale', () => {
  it('read the values and round only integer series', () => {
    expect(valueKind([0, 3, 7])).toEqual({ nonNegative: true, integer: true });
    expect(valueKind([0.5, -1])).toEqual({ nonNegative: false, integer: false });
    const p = { week: 'w', mean: 0.2, lower80: 0.1, upper80: 0.4, lower95: 0, upper95: 0.6 };
    expect(roundBounds(p, { nonNegative: true, integer: true })).toEqual({
      ...p,
      lower80: 0,
      upper80: 0,
      upper95: 1,
    });
    expect(roundBounds(p, { nonNegative: true, integer: false })).toBe(p);
    expect(toScale([0, 4, 9], 'sqrt')).toEqual([0, 2, 3]);
  });
});
