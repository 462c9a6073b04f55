import { GraphQLError } from 'graphql';

/**
 * A claim's life: drafted from an appointment's charges, submitted to the
 * payer, adjudicated once (paid, partly paid or denied), then closed.
 */
export const CLAIM_STATUSES = [
  'draft',
  'submitted',
  'paid',
  'partially-paid',
  'denied',
  'closed',
] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** What adjudication decided; also the status it moves the claim to. */
export const CLAIM_OUTCOMES = ['paid', 'partially-paid', 'denied'] as const;
export type ClaimOutcome = (typeof CLAIM_OUTCOMES)[number];

const NEXT: Record<ClaimStatus, readonly ClaimStatus[]> = {
  draft: ['submitted'],
  submitted: CLAIM_OUTCOMES,
  paid: ['closed'],
  'partially-paid': ['closed'],
  denied: ['closed'],
  closed: [],
};

export const isClaimStatus = (s: unknown): s is ClaimStatus =>
  CLAIM_STATUSES.includes(s as ClaimStatus);

export const isClaimOutcome = (s: unknown): s is ClaimOutcome =>
  CLAIM_OUTCOMES.includes(s as ClaimOutcome);

/** Whether a claim may go from `from` to `to`. */
export function canTransition(from: ClaimStatus, to: ClaimStatus): boolean {
  return NEXT[from].includes(to);
}

/** INVALID_TRANSITION naming both statuses (no claim data in the message). */
export function invalidTransition(from: ClaimStatus, to: ClaimStatus): GraphQLError {
  return new GraphQLError(`A claim that is ${from} cannot become ${to}`, {
    extensions: { code: 'INVALID_TRANSITION', from, to },
  });
}

/** Throws INVALID_TRANSITION unless `from` → `to` is allowed. */
export function assertTransition(from: ClaimStatus, to: ClaimStatus): void {
  if (!canTransition(from, to)) throw invalidTransition(from, to);
}
