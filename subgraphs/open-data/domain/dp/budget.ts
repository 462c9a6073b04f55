/**
 * Privacy budgets in whole micro-epsilon (1 ε = 1,000,000 µε): integers add
 * and compare exactly, so a ledger of many small spends never drifts past its
 * total through float rounding (0.1 + 0.2 > 0.3 in binary floating point).
 */

/** Micro-epsilon in one epsilon. */
export const MICRO_PER_EPSILON = 1_000_000;
/** The largest total one researcher's budget may hold: 1,000 ε, far beyond any sensible grant. */
export const MAX_TOTAL_MICRO = 1_000 * MICRO_PER_EPSILON;

/**
 * ε as whole micro-epsilon. ε must be a finite, non-negative multiple of
 * 0.000001 (up to float noise in its decimal writing, e.g. 0.1 × 10^6 =
 * 100000.00000000001): anything finer would be charged other than spent, so
 * it is refused rather than rounded.
 */
export function toMicro(epsilon: number): number {
  if (!Number.isFinite(epsilon) || epsilon < 0)
    throw new RangeError(`epsilon must be a finite number of at least 0, got ${epsilon}`);
  const scaled = epsilon * MICRO_PER_EPSILON;
  const micro = Math.round(scaled);
  if (!Number.isSafeInteger(micro) || Math.abs(scaled - micro) > 1e-12 * Math.max(1, micro))
    throw new RangeError(`epsilon must be a multiple of 0.000001, got ${epsilon}`);
  return micro;
}

/** Whole micro-epsilon as ε (the nearest double to the exact decimal). */
export function fromMicro(micro: number): number {
  return requireMicro(micro, 'micro-epsilon') / MICRO_PER_EPSILON;
}

/** Whole micro-epsilon as an exact decimal string of ε, e.g. 1500000 → "1.5", 1 → "0.000001". */
export function formatMicro(micro: number): string {
  const m = requireMicro(micro, 'micro-epsilon');
  const whole = Math.floor(m / MICRO_PER_EPSILON);
  const fraction = String(m % MICRO_PER_EPSILON)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** A budget's state, all in micro-epsilon. */
export interface BudgetState {
  totalMicro: number;
  spentMicro: number;
}

/** What is left of a budget; never negative. */
export function remainingMicro(b: BudgetState): number {
  return Math.max(0, b.totalMicro - b.spentMicro);
}

/** Whether spending `epsilonMicro` more stays within the budget (exactly at the total is allowed). */
export function canSpend(b: BudgetState, epsilonMicro: number): boolean {
  return (
    requireMicro(epsilonMicro, 'epsilonMicro') > 0 && b.spentMicro + epsilonMicro <= b.totalMicro
  );
}

/** A non-negative safe integer, else a RangeError naming `name`. */
export function requireMicro(micro: number, name: string): number {
  if (!Number.isSafeInteger(micro) || micro < 0)
    throw new RangeError(`${name} must be a whole number of at least 0, got ${micro}`);
  return micro;
}
