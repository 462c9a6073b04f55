import { describe, expect, it } from 'vitest';
import { lagDifferences, mean, quantile } from './stats.js';

describe('stats', () => {
  it('quantile interpolates as R type 7 does', () => {
    const x = [7, 1, 3, 9, 5];
    expect(quantile(x, 0)).toBe(1);
    expect(quantile(x, 1)).toBe(9);
    expect(quantile(x, 0.5)).toBe(5);
    // R: quantile(c(1,3,5,7,9), 0.1) = 1.8
    expect(quantile(x, 0.1)).toBeCloseTo(1.8, 12);
    expect(quantile([], 0.5)).toBe(0);
  });

  it('mean and lag differences', () => {
    expect(mean([])).toBe(0);
    expect(mean([1, 2, 6])).toBe(3);
    expect(lagDifferences([1, 4, 9, 16], 2)).toEqual([8, 12]);
    expect(lagDifferences([1], 1)).toEqual([]);
  });
});
