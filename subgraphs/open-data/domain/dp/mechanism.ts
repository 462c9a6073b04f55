import { getRandomValues } from 'node:crypto';
import { MICRO_PER_EPSILON, toMicro } from './budget.js';

/**
 * The differential-privacy mechanism for counts: discrete Laplace noise,
 * sampled exactly in integer arithmetic, and the statements about it that an
 * answer carries (scale, confidence half-width).
 */

/** Random bits. Sampling uses `uint32` only; `uniform` is for callers that want a float. */
export interface RandomSource {
  /** 32 uniformly random bits, as an integer in [0, 2^32). */
  uint32(): number;
  /** A uniform in the open interval (0, 1): the centre of one of 2^52 equal cells. */
  uniform(): number;
}

const TWO_32 = 2 ** 32;
const TWO_52 = 2 ** 52;
const TWO_53 = 2 ** 53;

/** A RandomSource from a generator of 32-bit words. */
function fromWords(word: () => number): RandomSource {
  return {
    uint32: word,
    // 20 + 32 bits; k + 0.5 < 2^52 is exact in a double, so the result is never 0 or 1.
    uniform: () => ((word() & 0xfffff) * TWO_32 + word() + 0.5) / TWO_52,
  };
}

/**
 * The operating system's CSPRNG (`crypto.getRandomValues`), read 4 KiB at a
 * time: what every released answer is noised with.
 */
export const cryptoRandom: RandomSource = (() => {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  return fromWords(() => {
    if (next === pool.length) {
      getRandomValues(pool);
      next = 0;
    }
    return pool[next++]!;
  });
})();

/**
 * A deterministic source for tests only (sfc32 seeded through splitmix32):
 * never use it to noise a release, its output is predictable from the seed.
 */
export function seededRandom(seed: number): RandomSource {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let [a, b, c, d] = [splitmix(), splitmix(), splitmix(), splitmix()];
  const word = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (((c << 21) | (c >>> 11)) + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) word();
  return fromWords(word);
}

/**
 * A uniform integer in [0, n), n ≤ 2^53, exactly: words are drawn until one
 * falls below the largest multiple of n they can reach (rejection), so no
 * value is favoured by a modulo remainder.
 */
export function uniformBelow(rng: RandomSource, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n must be from 1 to 2^53 − 1`);
  if (n <= TWO_32) {
    const limit = TWO_32 - (TWO_32 % n);
    for (;;) {
      const x = rng.uint32();
      if (x < limit) return x % n;
    }
  }
  const limit = TWO_53 - (TWO_53 % n);
  for (;;) {
    const x = (rng.uint32() & 0x1fffff) * TWO_32 + rng.uint32();
    if (x < limit) return x % n;
  }
}

/**
 * True with probability exactly e^(−num/den), for 0 ≤ num ≤ den (Canonne,
 * Kamath & Steinke 2020, algorithm 1): count k while Bernoulli(γ/k) succeeds;
 * the count stops at an odd k with probability e^(−γ). Integer draws only.
 */
export function bernoulliExpNeg(rng: RandomSource, num: number, den: number): boolean {
  let k = 1;
  while (uniformBelow(rng, den * k) < num) k++;
  return k % 2 === 1;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Discrete Laplace noise with P(y) ∝ e^(−|y|·s/t), for whole s, t ≥ 1
 * (Canonne, Kamath & Steinke 2020, algorithm 2): X = U + t·V, U uniform in
 * [0, t) kept with probability e^(−U/t), V geometric with ratio e^(−1), is
 * geometric with ratio e^(−1/t); ⌊X/s⌋ is then geometric with ratio e^(−s/t),
 * and a random sign (rejecting −0) makes it two-sided. Expected draws are a
 * small constant whatever the scale.
 */
function sampleDiscreteLaplace(sNum: number, tNum: number, rng: RandomSource): number {
  // In lowest terms, so equal ratios (ε/2 over Δ, ε over 2Δ) draw alike from the same bits.
  const g = gcd(sNum, tNum);
  const [s, t] = [sNum / g, tNum / g];
  for (;;) {
    const u = uniformBelow(rng, t);
    if (!bernoulliExpNeg(rng, u, t)) continue;
    let v = 0;
    while (bernoulliExpNeg(rng, 1, 1)) v++;
    const y = Math.floor((u + t * v) / s);
    const negative = uniformBelow(rng, 2) === 1;
    if (negative && y === 0) continue;
    return negative ? -y : y;
  }
}

/** The smallest ε a release may spend: one micro-epsilon, the budget ledger's unit (budget.ts). */
export const MIN_EPSILON = 1 / MICRO_PER_EPSILON;
/** The largest ε one answer may spend. */
export const MAX_EPSILON = 10;
/** The largest sensitivity (how much one person can change the count). */
export const MAX_SENSITIVITY = 1000;

/** ε as whole micro-epsilon, validated: in [MIN_EPSILON, MAX_EPSILON] and a multiple of MIN_EPSILON. */
function requireEpsilonMicro(epsilon: number): number {
  if (!Number.isFinite(epsilon) || epsilon < MIN_EPSILON || epsilon > MAX_EPSILON)
    throw new RangeError(
      `epsilon must be a finite number from ${MIN_EPSILON} to ${MAX_EPSILON}, got ${epsilon}`,
    );
  return toMicro(epsilon);
}

function requireSensitivity(sensitivity: number): number {
  if (!Number.isSafeInteger(sensitivity) || sensitivity < 1 || sensitivity > MAX_SENSITIVITY)
    throw new RangeError(
      `sensitivity must be a whole number from 1 to ${MAX_SENSITIVITY}, got ${sensitivity}`,
    );
  return sensitivity;
}

function requireCount(count: number, name: string): number {
  if (!Number.isSafeInteger(count) || count < 0)
    throw new RangeError(`${name} must be a whole number of at least 0, got ${count}`);
  return count;
}

/**
 * Noise from the discrete Laplace (two-sided geometric) distribution,
 * P(z) = (1 − q)/(1 + q) · q^|z| with q = e^(−ε/Δ) (Ghosh, Roughgarden &
 * Sundararajan 2009): added to a count of sensitivity Δ it gives pure
 * ε-differential privacy. Sampled exactly, in integers only (ε/Δ is the
 * rational ε_micro/(Δ·10^6)), so there is no floating-point gap to attack
 * (Mironov 2012) and no δ. ε must be a whole number of micro-epsilon: what
 * the budget ledger charges is exactly what the noise spends.
 */
export function discreteLaplace(
  epsilon: number,
  sensitivity: number,
  rng: RandomSource = cryptoRandom,
): number {
  const s = requireEpsilonMicro(epsilon);
  return sampleDiscreteLaplace(s, requireSensitivity(sensitivity) * MICRO_PER_EPSILON, rng);
}

/**
 * `trueCount` plus discrete Laplace noise of scale Δ/ε. Nothing is clamped:
 * a noisy count may be negative or above any bound; see `postProcessCount`.
 */
export function noisyCount(
  trueCount: number,
  epsilon: number,
  sensitivity: number,
  rng: RandomSource = cryptoRandom,
): number {
  return requireCount(trueCount, 'trueCount') + discreteLaplace(epsilon, sensitivity, rng);
}

/** Δ/ε: the scale of the noise, as the API states it next to every answer. */
export function laplaceScale(epsilon: number, sensitivity: number): number {
  requireEpsilonMicro(epsilon);
  return requireSensitivity(sensitivity) / epsilon;
}

/**
 * The smallest whole w with P(|noise| ≤ w) ≥ `level`, exact for the discrete
 * Laplace: P(|Z| > w) = 2·q^(w+1)/(1 + q).
 */
export function confidenceHalfWidth(epsilon: number, sensitivity: number, level = 0.95): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  requireEpsilonMicro(epsilon);
  const lnQ = -epsilon / requireSensitivity(sensitivity);
  const q = Math.exp(lnQ);
  const beyond = (w: number): number => (2 * Math.exp((w + 1) * lnQ)) / (1 + q);
  const allowed = 1 - level;
  let w = Math.max(0, Math.ceil(Math.log((allowed * (1 + q)) / 2) / lnQ) - 1);
  // The closed form can land one off after rounding: settle on the exact smallest w.
  while (w > 0 && beyond(w - 1) <= allowed) w--;
  while (beyond(w) > allowed) w++;
  return w;
}

/** A noisy proportion: both counts post-processed, and their ratio. */
export interface NoisyRate {
  numerator: number;
  denominator: number;
  /** numerator / denominator clamped to [0, 1]; null when the noisy denominator is 0. */
  rate: number | null;
}

/**
 * A proportion numTrue/denTrue (numTrue ≤ denTrue, e.g. readmissions among
 * discharges) released with ε in total: each count is noised with ε/2 (the
 * numerator first), so by sequential composition the pair costs ε. Both have
 * sensitivity Δ. The counts are clamped at 0 and the rate to [0, 1]
 * afterwards (post-processing costs no privacy).
 */
export function noisyRate(
  numTrue: number,
  denTrue: number,
  epsilon: number,
  sensitivity: number,
  rng: RandomSource = cryptoRandom,
): NoisyRate {
  requireCount(numTrue, 'numTrue');
  requireCount(denTrue, 'denTrue');
  if (numTrue > denTrue) throw new RangeError('numTrue must not exceed denTrue');
  // ε/2 over Δ is ε_micro / (2·Δ·10^6): still a ratio of integers, so still exact.
  const s = requireEpsilonMicro(epsilon);
  const t = 2 * requireSensitivity(sensitivity) * MICRO_PER_EPSILON;
  const numerator = postProcessCount(numTrue + sampleDiscreteLaplace(s, t, rng));
  const denominator = postProcessCount(denTrue + sampleDiscreteLaplace(s, t, rng));
  return {
    numerator,
    denominator,
    rate: denominator === 0 ? null : Math.min(1, numerator / denominator),
  };
}

/** A noisy count as published: never negative. Post-processing, so it spends no privacy. */
export function postProcessCount(n: number): number {
  return Math.max(0, n);
}
