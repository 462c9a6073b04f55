import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bernoulliExpNeg,
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
  uniformBelow,
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

/** A source replaying fixed 32-bit words, to pin the integer arithmetic. */
const words = (...ws: number[]): RandomSource => {
  let i = 0;
  return { uint32: () => ws[i++ % ws.length]!, uniform: () => 0.5 };
};

/** `n` draws of `f` from one seeded source. */
const drawsOf = (n: number, seed: number, f: (rng: RandomSource) => number): number[] => {
  const rng = seededRandom(seed);
  return Array.from({ length: n }, () => f(rng));
};

describe('input validation', () => {
  const bad = [0, -1, Number.NaN, Number.POSITIVE_INFINITY, MAX_EPSILON + 1e-6, MIN_EPSILON / 2];
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

  it('refuses an epsilon that is not a whole number of micro-epsilon (it could not be charged exactly)', () => {
    expect(() => discreteLaplace(0.1234567, 1)).toThrow(/multiple of 0.000001/);
    expect(() => noisyRate(1, 2, 0.5000001, 1)).toThrow(RangeError);
    expect(Number.isInteger(discreteLaplace(0.1 + 0.2, 1))).toBe(true);
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

describe('uniformBelow', () => {
  it('rejects words at or above the largest multiple of n instead of folding them', () => {
    // 2^32 mod 3 = 1: the word 2^32 − 1 would favour 0, so it is redrawn.
    expect(uniformBelow(words(2 ** 32 - 1, 5), 3)).toBe(2);
    expect(uniformBelow(words(2 ** 32 - 2), 3)).toBe((2 ** 32 - 2) % 3);
    // Above 2^32, two words (21 + 32 bits) make the draw.
    expect(uniformBelow(words(1, 7), 2 ** 40)).toBe(2 ** 32 + 7);
    expect(uniformBelow(words(0xffffffff, 3), 1)).toBe(0);
    expect(() => uniformBelow(seededRandom(1), 0)).toThrow(RangeError);
  });

  it('is uniform on small ranges (χ², p > 0.001)', () => {
    for (const n of [2, 3, 7, 10]) {
      const counts = new Array<number>(n).fill(0);
      for (const x of drawsOf(20_000, n, (r) => uniformBelow(r, n))) counts[x]!++;
      const e = 20_000 / n;
      const chi = counts.reduce((a, c) => a + (c - e) ** 2 / e, 0);
      // χ² critical values at p = 0.001 for n − 1 = 1, 2, 6, 9 degrees of freedom.
      expect(chi).toBeLessThan({ 2: 10.83, 3: 13.82, 7: 22.46, 10: 27.88 }[n]!);
    }
  });
});

describe('bernoulliExpNeg', () => {
  it.each([
    [0, 1],
    [1, 1],
    [1, 2],
    [3, 10],
    [999_999, 1_000_000],
  ])('is true with probability e^(−%i/%i) (within 4 standard errors)', (num, den) => {
    const n = 20_000;
    const p = Math.exp(-num / den);
    const hits = drawsOf(n, num + den, (r) => (bernoulliExpNeg(r, num, den) ? 1 : 0)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(Math.abs(hits / n - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / n) + 1e-9);
  });
});

describe('discreteLaplace', () => {
  it('is an integer and reproducible from a seed; different seeds differ', () => {
    const a = drawsOf(50, 7, (r) => discreteLaplace(0.5, 1, r));
    expect(drawsOf(50, 7, (r) => discreteLaplace(0.5, 1, r))).toEqual(a);
    expect(drawsOf(50, 8, (r) => discreteLaplace(0.5, 1, r))).not.toEqual(a);
    expect(a.every(Number.isInteger)).toBe(true);
  });

  it('is symmetric and centred: mean ≈ 0, as many positive as negative', () => {
    const xs = drawsOf(20_000, 11, (r) => discreteLaplace(0.5, 1, r));
    const positive = xs.filter((x) => x > 0).length;
    const negative = xs.filter((x) => x < 0).length;
    // Each side has p ≈ 0.38: the difference has s.d. ≈ √(0.76·20000) ≈ 123.
    expect(Math.abs(positive - negative)).toBeLessThan(500);
    // Variance 2q/(1 − q)² ≈ 7.9 at ε = 0.5: the mean has s.e. ≈ 0.02.
    expect(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length)).toBeLessThan(0.1);
  });

  it('returns a safe integer for any ε and Δ in range, even the extremes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_EPSILON * 1_000_000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer(),
        (micro, s, seed) => {
          const z = discreteLaplace(micro / 1_000_000, s, seededRandom(seed));
          expect(Number.isSafeInteger(z)).toBe(true);
        },
      ),
      { numRuns: 300 },
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
      const w = rng.uint32();
      expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32).toBe(true);
    }
    // Standard error of the mean is 1/√(12·20000) ≈ 0.002.
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.01);
  });
});

describe('noisyCount and postProcessCount', () => {
  it('adds the mechanism’s noise to the true count and clamps nothing', () => {
    const noise = drawsOf(200, 4, (r) => discreteLaplace(0.2, 1, r));
    expect(drawsOf(200, 4, (r) => noisyCount(100, 0.2, 1, r))).toEqual(noise.map((z) => 100 + z));
    expect(drawsOf(200, 4, (r) => noisyCount(0, 0.2, 1, r)).some((x) => x < 0)).toBe(true);
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
        fc.integer({ min: 50_000, max: MAX_EPSILON * 1_000_000 }),
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0.5, max: 0.999, noNaN: true }),
        (micro, s, level) => {
          const eps = micro / 1_000_000;
          const w = confidenceHalfWidth(eps, s, level);
          expect(Number.isInteger(w) && w >= 0).toBe(true);
          expect(tailBeyond(eps, s, w)).toBeLessThanOrEqual(1 - level + 1e-12);
          if (w > 0) expect(tailBeyond(eps, s, w - 1)).toBeGreaterThan(1 - level - 1e-12);
        },
      ),
    );
  });

  it('matches known values and widens with less epsilon or more sensitivity', () => {
    // ε = 0.693147 ≈ ln 2, q ≈ 1/2: P(|Z| > w) ≈ (4/3)·2^−(w+1) ≤ 0.05 first at w = 4.
    expect(confidenceHalfWidth(0.693147, 1, 0.95)).toBe(4);
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
  it('spends ε/2 on each count: numerator then denominator noised as discreteLaplace(ε/2)', () => {
    const rng = seededRandom(12);
    const a = discreteLaplace(0.5, 2, rng);
    const b = discreteLaplace(0.5, 2, rng);
    const r = noisyRate(1000, 2000, 1, 2, seededRandom(12));
    expect(r).toEqual({
      numerator: 1000 + a,
      denominator: 2000 + b,
      rate: (1000 + a) / (2000 + b),
    });
  });

  it('publishes non-negative counts, a rate in [0, 1], and null when the denominator is 0', () => {
    const rng = seededRandom(3);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 50_000, max: 5_000_000 }),
        (a, b, micro) => {
          const r = noisyRate(Math.min(a, b), Math.max(a, b), micro / 1_000_000, 1, rng);
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
