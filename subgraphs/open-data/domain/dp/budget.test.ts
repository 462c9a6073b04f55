import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canSpend,
  formatMicro,
  fromMicro,
  MICRO_PER_EPSILON,
  remainingMicro,
  requireMicro,
  toMicro,
} from './budget.js';

describe('toMicro and fromMicro', () => {
  it('convert decimal epsilons exactly, float noise in the decimal included', () => {
    expect(toMicro(1)).toBe(1_000_000);
    expect(toMicro(0.1)).toBe(100_000);
    expect(toMicro(0.1 + 0.2)).toBe(300_000);
    expect(toMicro(0.000001)).toBe(1);
    expect(toMicro(0)).toBe(0);
    expect(fromMicro(1_500_000)).toBe(1.5);
    expect(fromMicro(1)).toBe(0.000001);
  });

  it('round-trip every whole micro-epsilon up to 10,000 ε', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 * MICRO_PER_EPSILON }), (m) => {
        expect(toMicro(fromMicro(m))).toBe(m);
      }),
    );
  });

  it('refuse an epsilon finer than one micro-epsilon, negative or not finite', () => {
    for (const bad of [
      0.0000015,
      1e-7,
      0.5000001,
      3.0000000001,
      -0.1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ])
      expect(() => toMicro(bad)).toThrow(RangeError);
    expect(() => fromMicro(1.5)).toThrow(/micro-epsilon/);
    expect(() => fromMicro(-1)).toThrow(RangeError);
  });

  it('sum exactly where floats do not: ten spends of 0.1 are exactly 1 ε', () => {
    let float = 0;
    let micro = 0;
    for (let i = 0; i < 10; i++) {
      float += 0.1;
      micro += toMicro(0.1);
    }
    expect(float).not.toBe(1);
    expect(micro).toBe(toMicro(1));
  });
});

describe('formatMicro', () => {
  it('writes the exact decimal', () => {
    expect(formatMicro(1_500_000)).toBe('1.5');
    expect(formatMicro(1)).toBe('0.000001');
    expect(formatMicro(0)).toBe('0');
    expect(formatMicro(10_000_000)).toBe('10');
    expect(formatMicro(123_456_789)).toBe('123.456789');
  });

  it('parses back to the same micro-epsilon', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), (m) => {
        expect(toMicro(Number(formatMicro(m)))).toBe(m);
      }),
    );
  });
});

describe('remainingMicro and canSpend', () => {
  it('allow a spend up to exactly the total and no further', () => {
    const b = { totalMicro: 1_000_000, spentMicro: 900_000 };
    expect(remainingMicro(b)).toBe(100_000);
    expect(canSpend(b, 100_000)).toBe(true);
    expect(canSpend(b, 100_001)).toBe(false);
    expect(canSpend(b, 0)).toBe(false);
    expect(() => canSpend(b, 0.5)).toThrow(/epsilonMicro/);
  });

  it('never report a negative remainder; a spend allowed leaves a remainder ≥ 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 0, max: 2e9 }),
        fc.integer({ min: 1, max: 1e9 }),
        (total, spent, e) => {
          const b = { totalMicro: total, spentMicro: spent };
          expect(remainingMicro(b)).toBeGreaterThanOrEqual(0);
          if (canSpend(b, e))
            expect(remainingMicro({ totalMicro: total, spentMicro: spent + e })).toBe(
              total - spent - e,
            );
        },
      ),
    );
  });

  it('requireMicro accepts whole non-negative numbers only', () => {
    expect(requireMicro(5, 'x')).toBe(5);
    expect(() => requireMicro(2 ** 53, 'x')).toThrow(/x must/);
  });
});
