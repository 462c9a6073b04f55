import { getRandomValues } from 'node:crypto';

/** A source of uniform numbers in the open interval (0, 1), with 53 random bits each. */
export interface RandomSource {
  uniform(): number;
}

const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;

/** 21 high bits and 32 low bits as a uniform in (0, 1): the centre of one of 2^53 cells, never 0 or 1. */
const toUniform = (hi: number, lo: number): number =>
  ((hi & 0x1fffff) * TWO_32 + lo + 0.5) / TWO_53;

/**
 * The operating system's CSPRNG (`crypto.getRandomValues`), read 4 KiB at a
 * time: what every released answer is noised with.
 */
export const cryptoRandom: RandomSource = (() => {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  const word = (): number => {
    if (next === pool.length) {
      getRandomValues(pool);
      next = 0;
    }
    return pool[next++]!;
  };
  return { uniform: () => toUniform(word(), word()) };
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
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const word = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) word();
  return { uniform: () => toUniform(word(), word()) };
}

/** The smallest ε a release may spend: one micro-epsilon, the budget ledger's unit (budget.ts). */
export const MIN_EPSILON = 1e-6;
/** The largest ε one answer may spend. */
export const MAX_EPSILON = 10;
/** The largest sensitivity (how much one person can change the count). */
export const MAX_SENSITIVITY = 1000;

function requireEpsilon(epsilon: number): number {
  if (!Number.isFinite(epsilon) || epsilon < MIN_EPSILON || epsilon > MAX_EPSILON)
    throw new RangeError(
      `epsilon must be a finite number from ${MIN_EPSILON} to ${MAX_EPSILON}, got ${epsilon}`,
    );
  return epsilon;
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
 * A geometric variable (failures before the first success) with
 * P(G = k) = (1 − q)·q^k, q = e^(−rate), by inversion: ⌊ln U / ln q⌋.
 * `ln q` is taken as −rate itself, never as Math.log(Math.exp(−rate)), so a
 * tiny rate loses no precision.
 */
const geometric = (rate: number, rng: RandomSource): number =>
  Math.floor(-Math.log(rng.uniform()) / rate);

/** Noise with P(z) ∝ e^(−rate·|z|), unvalidated: the difference of two geometric variables. */
const twoSidedGeometric = (rate: number, rng: RandomSource): number =>
  geometric(rate, rng) - geometric(rate, rng);

/**
 * Noise from the discrete Laplace (two-sided geometric) distribution,
 * P(z) = (1 − q)/(1 + q) · q^|z| with q = e^(−ε/Δ) (Ghosh, Roughgarden &
 * Sundararajan 2009): added to a count of sensitivity Δ it gives ε-differential
 * privacy. The output is an integer, so it carries none of the floating-point
 * low-bit leaks of the continuous Laplace (Mironov 2012).
 *
 * Sampled as the difference of two geometric variables drawn by inversion
 * from 53-bit uniforms. That is exact up to floating point: each of the
 * ≈ 37.4·Δ/ε bucket edges of a draw lies within a 2^−54 cell (plus one
 * rounding of `Math.log`), and a uniform is never below 2^−54 so |noise|
 * never exceeds ≈ 37.4·Δ/ε. The sampled distribution is therefore within
 * total variation ≈ 40·(Δ/ε)·2^−54 of the exact one: (ε, δ)-DP with δ of that
 * order (≈ 10^−14 at Δ/ε = 5, ≈ 10^−9 at Δ/ε = 10^5). An integer-only sampler
 * (Canonne, Kamath & Steinke 2020) would make δ zero.
 */
export function discreteLaplace(
  epsilon: number,
  sensitivity: number,
  rng: RandomSource = cryptoRandom,
): number {
  return twoSidedGeometric(requireEpsilon(epsilon) / requireSensitivity(sensitivity), rng);
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
  return requireSensitivity(sensitivity) / requireEpsilon(epsilon);
}

/**
 * The smallest whole w with P(|noise| ≤ w) ≥ `level`, exact for the discrete
 * Laplace: P(|Z| > w) = 2·q^(w+1)/(1 + q).
 */
export function confidenceHalfWidth(epsilon: number, sensitivity: number, level = 0.95): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const lnQ = -requireEpsilon(epsilon) / requireSensitivity(sensitivity);
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
 * discharges) released with ε in total: each count is noised with ε/2, so by
 * sequential composition the pair costs ε. Both have sensitivity Δ. The
 * counts are clamped at 0 and the rate to [0, 1] afterwards (post-processing
 * costs no privacy).
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
  const rate = requireEpsilon(epsilon) / 2 / requireSensitivity(sensitivity);
  const numerator = postProcessCount(numTrue + twoSidedGeometric(rate, rng));
  const denominator = postProcessCount(denTrue + twoSidedGeometric(rate, rng));
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
