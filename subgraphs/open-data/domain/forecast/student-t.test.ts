import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, tCdf, tQuantile } from './student-t.js';

describe('logGamma and incompleteBeta', () => {
  it('match known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // I_x(1, 1) = x; I_x(a, 1) = x^a.
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.6, 3, 1)).toBeCloseTo(0.216, 12);
    expect(incompleteBeta(0.2, 2.5, 4)).toBeCloseTo(1 - incompleteBeta(0.8, 4, 2.5), 12);
  });
});

describe('tQuantile', () => {
  it('matches published t tables', () => {
    const table: [number, number, number][] = [
      [0.975, 1, 12.7062047],
      [0.975, 2, 4.30265273],
      [0.975, 10, 2.22813885],
      [0.975, 30, 2.04227246],
      [0.9, 10, 1.37218364],
      [0.9, 100, 1.29007476],
      [0.975, 1000, 1.96233908],
      [0.995, 5, 4.03214298],
    ];
    for (const [p, df, q] of table) expect(tQuantile(p, df)).toBeCloseTo(q, 6);
  });

  it('approaches the normal quantile as df grows', () => {
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5);
    expect(tQuantile(0.9, 1e6)).toBeCloseTo(1.2815516, 5);
  });

  it('inverts the CDF and is antisymmetric', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.integer({ min: 1, max: 500 }),
        (p, df) => {
          const q = tQuantile(p, df);
          expect(tCdf(q, df)).toBeCloseTo(p, 8);
          expect(tQuantile(1 - p, df)).toBeCloseTo(-q, 6);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects probabilities and df out of range', () => {
    expect(() => tQuantile(1, 5)).toThrow(RangeError);
    expect(() => tQuantile(0.5, 0)).toThrow(RangeError);
    expect(() => tQuantile(0.9, Infinity)).toThrow(RangeError);
  });
});
