import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  confidenceHalfWidth,
  cryptoRandom,
  discreteLaplace,
  laplaceScale,
  MAX_EPSILON,
  MIN_EPSILON,
  noisyCount,
  noisyRate,
  postProcessCount,
  seededRandom,
  type RandomSource,
} from './mechanism.js';

/** The exact discrete-Laplace probability that |Z| > w, summed term by term (no closed form). */
function tailBeyond(epsilon: number, sensitivity: number, w: number): number {
  const q = Math.exp(-epsilon / sensitivity);
  const p0 = (1 - q) / (1 + q);
  let inside = p0;
  for (let z = 1; z <= w; z++) inside += 2 * p0 * q ** z;
  return 1 - inside;
}

/** A source replaying fixed uniforms, to pin the inversion arithmetic. */
const replay = (...us: number[]): RandomSource => {
  let i = 0;
  return { uniform: () => us[i++ % us.length]! };
};

describe('input validation', () => {
  const bad = [0, -1, Number.NaN, Number.POSITIVE_INFINITY, MAX_EPSILON + 1e-9, MIN_EPSILON / 2];
  it.each(bad)('refuses epsilon %s with a RangeError naming epsilon', (eps) => {
    expect(() => discreteLaplace(eps, 1)).toThrow(RangeError);
    expect(() => discreteLaplace(eps, 1)).toThrow(/epsilon/);
    expect(() => laplaceScale(eps, 1)).toThrow(RangeError);
    expect(() => confidenceHalfWidth(eps, 1)).toThrow(RangeError);
    expect(() => noisyRate(1, 2, eps, 1)).toThrow(RangeError);
  });

  it.each([0, -3, 1.5, 1001, Number.NaN])('refuses sensitivity %s', (s) => {
    expect(() => discreteLaplace(1, s)).toThrow(/sensitivity/);
    expect(() => noisyCount(10, 1, s)).toThrow(RangeError);
  });

  it('accepts the bounds themselves', () => {
    expect(Number.isInteger(discreteLaplace(MAX_EPSILON, 1000))).toBe(true);
    expect(Number.isInteger(discreteLaplace(MIN_EPSILON, 1))).toBe(true);
  });

  it('refuses counts that are not whole and non-negative, and a numerator above its denominator', () => {
    expect(() => noisyCount(-1, 1, 1)).toThrow(/trueCount/);
    expect(() => noisyCount(2.5, 1, 1)).toThrow(RangeError);
    expect(() => noisyRate(3, 2, 1, 1)).toThrow(/exceed/);
    expect(() => noisyRate(-1, 2, 1, 1)).toThrow(/numTrue/);
    expect(() => confidenceHalfWidth(1, 1, 1)).toThrow(/level/);
    expect(() => confidenceHalfWidth(1, 1, 0)).toThrow(/level/);
  });
});

describe('discreteLaplace', () => {
  it('is the difference of two geometric draws by inversion', () => {
    // ε/Δ = ln 2 so q = 1/2: U = 0.2 → ⌊log2(5)⌋ = 2, U = 0.6 → ⌊log2(1/0.6)⌋ = 0.
    expect(discreteLaplace(Math.LN2, 1, replay(0.2, 0.6))).toBe(2);
    expect(discreteLaplace(Math.LN2, 1, replay(0.6, 0.2))).toBe(-2);
    expect(discreteLaplace(Math.LN2, 1, replay(0.9, 0.9))).toBe(0);
    // Doubling Δ halves the rate: the same uniforms give the same noise as ε/2.
    expect(discreteLaplace(2 * Math.LN2, 2, replay(0.01, 0.7))).toBe(
      discreteLaplace(Math.LN2, 1, replay(0.01, 0.7)),
    );
  });

  it('is an integer and reproducible from a seed; different seeds differ', () => {
    const a = Array.from(
      { length: 50 },
      (
        (r) => () =>
          discreteLaplace(0.5, 1, r)
      )(seededRandom(7)),
    );
    const b = Array.from(
      { length: 50 },
      (
        (r) => () =>
          discreteLaplace(0.5, 1, r)
      )(seededRandom(7)),
    );
    const c = Array.from(
      { length: 50 },
      (
        (r) => () =>
          discreteLaplace(0.5, 1, r)
      )(seededRandom(8)),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every(Number.isInteger)).toBe(true);
  });

  it('never returns a non-integer or unsafe value, even from the extreme uniforms', () => {
    const tiny = 0.5 / 2 ** 53;
    fc.assert(
      fc.property(
        fc.double({ min: MIN_EPSILON, max: MAX_EPSILON, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(tiny, 1 - tiny, 0.5),
        fc.constantFrom(tiny, 1 - tiny, 0.5),
        (eps, s, u1, u2) => {
          const z = discreteLaplace(eps, s, replay(u1, u2));
          expect(Number.isSafeInteger(z)).toBe(true);
          expect(Math.abs(z)).toBeLessThanOrEqual(Math.ceil((37.5 * s) / eps));
        },
      ),
    );
  });
});

describe('seededRandom and cryptoRandom', () => {
  it.each([
    ['seeded', seededRandom(1)],
    ['crypto', cryptoRandom],
  ] as const)('%s draws lie strictly inside (0, 1) with mean ≈ 1/2', (_name, rng) => {
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = rng.uniform();
      expect(u > 0 && u < 1).toBe(true);
      sum += u;
    }
    // Standard error of the mean is 1/√(12·20000) ≈ 0.002.
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01);
  });
});

describe('noisyCount and postProcessCount', () => {
  it('adds the mechanism’s noise to the true count and clamps nothing', () => {
    expect(noisyCount(100, Math.LN2, 1, replay(0.2, 0.6))).toBe(102);
    expect(noisyCount(0, Math.LN2, 1, replay(0.6, 0.2))).toBe(-2);
  });

  it('post-processing clamps at 0 and leaves non-negative counts alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), (n) => {
        const p = postProcessCount(n);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBe(n >= 0 ? n : 0);
      }),
    );
  });
});

describe('laplaceScale', () => {
  it('is Δ/ε', () => {
    expect(laplaceScale(0.5, 3)).toBe(6);
    expect(laplaceScale(2, 1)).toBe(0.5);
  });
});

describe('confidenceHalfWidth', () => {
  it('is the smallest w with P(|Z| ≤ w) ≥ level, checked against the pmf summed term by term', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: MAX_EPSILON, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0.5, max: 0.999, noNaN: true }),
        (eps, s, level) => {
          const w = confidenceHalfWidth(eps, s, level);
          expect(Number.isInteger(w) && w >= 0).toBe(true);
          expect(tailBeyond(eps, s, w)).toBeLessThanOrEqual(1 - level + 1e-12);
          if (w > 0) expect(tailBeyond(eps, s, w - 1)).toBeGreaterThan(1 - level - 1e-12);
        },
      ),
    );
  });

  it('matches known values and widens with less epsilon or more sensitivity', () => {
    // q = 1/2: P(|Z| > w) = (4/3)·2^−(w+1) ≤ 0.05 first at w = 4.
    expect(confidenceHalfWidth(Math.LN2, 1, 0.95)).toBe(4);
    // Large ε: P(Z = 0) = (1 − q)/(1 + q) ≥ 0.95, so no width at all.
    expect(confidenceHalfWidth(10, 1, 0.95)).toBe(0);
    expect(confidenceHalfWidth(0.1, 1)).toBeGreaterThan(confidenceHalfWidth(1, 1));
    expect(confidenceHalfWidth(1, 3)).toBeGreaterThan(confidenceHalfWidth(1, 1));
    expect(confidenceHalfWidth(1, 1, 0.99)).toBeGreaterThan(confidenceHalfWidth(1, 1, 0.9));
  });

  it('covers the drawn noise at the stated level', () => {
    const rng = seededRandom(42);
    const w = confidenceHalfWidth(0.5, 1, 0.9);
    let inside = 0;
    for (let i = 0; i < 20_000; i++) if (Math.abs(discreteLaplace(0.5, 1, rng)) <= w) inside++;
    // P(|Z| ≤ w) is between 0.9 and the next step's; the sample proportion has s.e. ≈ 0.002.
    expect(inside / 20_000).toBeGreaterThan(0.9 - 0.008);
    expect(inside / 20_000).toBeLessThan(1 - tailBeyond(0.5, 1, w) + 0.008);
  });
});

describe('noisyRate', () => {
  it('spends ε/2 on each count: each is noised as discreteLaplace(ε/2) would', () => {
    const us = [0.2, 0.6, 0.6, 0.2];
    const r = noisyRate(10, 20, 2 * Math.LN2, 1, replay(...us));
    expect(r.numerator).toBe(10 + discreteLaplace(Math.LN2, 1, replay(0.2, 0.6)));
    expect(r.denominator).toBe(20 + discreteLaplace(Math.LN2, 1, replay(0.6, 0.2)));
    expect(r).toEqual({ numerator: 12, denominator: 18, rate: 12 / 18 });
  });

  it('publishes non-negative counts, a rate in [0, 1], and null when the denominator is 0', () => {
    const rng = seededRandom(3);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.double({ min: 0.05, max: 5, noNaN: true }),
        (a, b, eps) => {
          const r = noisyRate(Math.min(a, b), Math.max(a, b), eps, 1, rng);
          expect(r.numerator).toBeGreaterThanOrEqual(0);
          expect(r.denominator).toBeGreaterThanOrEqual(0);
          if (r.denominator === 0) expect(r.rate).toBeNull();
          else {
            expect(r.rate).toBeGreaterThanOrEqual(0);
            expect(r.rate).toBeLessThanOrEqual(1);
            expect(r.rate).toBe(Math.min(1, r.numerator / r.denominator));
          }
        },
      ),
    );
  });

  it('is close to the true rate at a generous epsilon for large counts', () => {
    const r = noisyRate(2_500, 10_000, 10, 1, seededRandom(5));
    expect(r.rate).toBeCloseTo(0.25, 2);
  });
});
