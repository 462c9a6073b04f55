import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leastSquares } from './least-squares.js';

const design = (n: number, p: number, seed: number) =>
  Array.from({ length: n }, (_, i) =>
    Array.from({ length: p }, (_, j) => (j === 0 ? 1 : Math.sin(seed + (i + 1) * (j + 0.37)))),
  );

describe('leastSquares', () => {
  it('recovers the coefficients of an exact linear relation', () => {
    const X = design(30, 4, 1);
    const truth = [2, -1.5, 0.25, 3];
    const y = X.map((row) => row.reduce((s, x, j) => s + x * truth[j]!, 0));
    const fit = leastSquares(X, y, 0);
    fit.beta.forEach((b, j) => expect(b).toBeCloseTo(truth[j]!, 10));
    expect(fit.rss).toBeLessThan(1e-20);
  });

  it('has residuals orthogonal to every column (the normal equations)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), {
          minLength: 12,
          maxLength: 12,
        }),
        (seed, y) => {
          const X = design(12, 3, seed);
          const fit = leastSquares(X, y, 0);
          for (let j = 0; j < 3; j++) {
            const dot = X.reduce((s, row, i) => s + row[j]! * (y[i]! - fit.fitted[i]!), 0);
            expect(Math.abs(dot)).toBeLessThan(1e-8 * (1 + Math.max(...y.map(Math.abs))));
          }
        },
      ),
    );
  });

  it('gives leverages of the design rows that sum to the number of columns', () => {
    const X = design(40, 5, 7);
    const fit = leastSquares(X, new Array<number>(40).fill(1), 0);
    const total = X.reduce((s, row) => s + fit.leverage(row), 0);
    expect(total).toBeCloseTo(5, 8);
    // The mean model: leverage of any row is 1/n.
    const mean = leastSquares(
      X.map(() => [1]),
      X.map((_, i) => i),
    );
    expect(mean.leverage([1])).toBeCloseTo(1 / 40, 8);
    expect(mean.beta[0]).toBeCloseTo(19.5, 8);
  });

  it('stays finite on a rank-deficient design thanks to the ridge', () => {
    const X = Array.from({ length: 10 }, (_, i) => [1, i, 2 * i]);
    const y = X.map((_, i) => 1 + 3 * i);
    const fit = leastSquares(X, y);
    expect(fit.beta.every(Number.isFinite)).toBe(true);
    expect(fit.rss).toBeLessThan(1e-6);
    expect(Number.isFinite(fit.leverage([1, 20, 40]))).toBe(true);
  });

  it('rejects mismatched shapes', () => {
    expect(() => leastSquares([[1], [1]], [1])).toThrow(RangeError);
    expect(() => leastSquares([], [])).toThrow(RangeError);
  });
});
