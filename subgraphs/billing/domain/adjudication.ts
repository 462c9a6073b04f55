import { stableId } from './ids.js';
import type { NewEntry } from './ledger.js';
import type { Money } from './money.js';
import { isClaimOutcome, type ClaimOutcome } from './claim-status.js';

/** A payer's decision on a submitted claim, as billing staff or a payer app enter it. */
export interface Adjudication {
  outcome: ClaimOutcome;
  /** What the payer allows for the claim (≤ its total); the rest is written off by contract. */
  allowed: Money;
  /** What the payer pays (≤ allowed). */
  paid: Money;
  /** Required for a denial only: a reason code (CARC-like) with optional text. */
  denialReason?: string | null;
  /** The payer's own reference for the claim (e.g. its claim control number). */
  payerReference?: string | null;
}

/** Why an adjudication is refused, and the input field to blame. */
export interface AdjudicationProblem {
  message: string;
  field: string;
}

export const DENIAL_REASON_MAX = 200;
const PAYER_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
// Printable text only: no control characters that could forge log lines or hide content.
const PRINTABLE = /^[^\p{Cc}\p{Cf}]+$/u;

function amountProblem(name: 'allowed' | 'paid', m: Money, total: Money) {
  if (typeof m?.amountMinor !== 'bigint')
    return { message: `${name} is not an amount`, field: name };
  if (m.currency !== total.currency)
    return { message: `${name} must be in the claim's currency (${total.currency})`, field: name };
  if (m.amountMinor < 0n) return { message: `${name} cannot be negative`, field: name };
  return undefined;
}

/**
 * Why `a` cannot adjudicate a claim of `total`, or undefined when it can.
 * Always: 0 ≤ paid ≤ allowed ≤ total, all in the claim's currency.
 * `paid`: paid = allowed > 0; `partially-paid`: 0 < paid < allowed;
 * `denied`: paid = 0 and a reason (1..200 printable characters); only a
 * denial carries a reason.
 */
export function adjudicationProblem(
  total: Money,
  a: Adjudication,
): AdjudicationProblem | undefined {
  if (!isClaimOutcome(a.outcome))
    return { message: 'outcome is paid, partially-paid or denied', field: 'outcome' };
  const bad = amountProblem('allowed', a.allowed, total) ?? amountProblem('paid', a.paid, total);
  if (bad) return bad;
  const { allowed, paid } = { allowed: a.allowed.amountMinor, paid: a.paid.amountMinor };
  if (allowed > total.amountMinor)
    return { message: 'allowed cannot exceed the claim total', field: 'allowed' };
  if (paid > allowed) return { message: 'paid cannot exceed allowed', field: 'paid' };
  const reason = a.denialReason ?? undefined;
  switch (a.outcome) {
    case 'paid':
      if (paid === 0n || paid !== allowed)
        return { message: 'A paid claim pays the whole allowed amount (> 0)', field: 'paid' };
      break;
    case 'partially-paid':
      if (paid === 0n || paid === allowed)
        return {
          message: 'A partly paid claim pays more than 0 and less than allowed',
          field: 'paid',
        };
      break;
    case 'denied':
      if (paid !== 0n) return { message: 'A denied claim pays nothing', field: 'paid' };
      if (reason === undefined || reason.trim() === '')
        return { message: 'A denial needs a reason', field: 'denialReason' };
      break;
  }
  if (a.outcome !== 'denied' && reason !== undefined)
    return { message: 'Only a denial carries a reason', field: 'denialReason' };
  if (reason !== undefined && (reason.length > DENIAL_REASON_MAX || !PRINTABLE.test(reason)))
    return {
      message: `denialReason is 1 to ${DENIAL_REASON_MAX} printable characters`,
      field: 'denialReason',
    };
  const ref = a.payerReference ?? undefined;
  if (ref !== undefined && !PAYER_REFERENCE.test(ref))
    return {
      message: 'payerReference is 1 to 64 letters, digits, dots, slashes, hyphens or underscores',
      field: 'payerReference',
    };
  return undefined;
}

/** Entry ids of a claim's adjudication: stable, so posting them again adds nothing. */
export const claimEntryIds = (claimId: string) => ({
  paid: stableId('claim-paid', claimId),
  contractual: stableId('claim-contractual', claimId),
});

/**
 * The ledger entries an (already validated) adjudication posts to the
 * patient's account: the payer's payment (−paid) and the contractual
 * write-off of what the payer does not allow (−(total − allowed)), each only
 * when non-zero, both caused by the claim. A denial posts nothing: the
 * charges stay owed, free to be claimed from the next coverage (or written
 * off by an adjustment), so a later claim of them never meets a write-off
 * already made.
 */
export function adjudicationEntries(
  claim: { id: string; patientId: string; total: Money },
  a: Pick<Adjudication, 'outcome' | 'allowed' | 'paid'>,
  by: string,
): NewEntry[] {
  if (a.outcome === 'denied') return [];
  const ids = claimEntryIds(claim.id);
  const cause = { type: 'claim', id: claim.id } as const;
  const entries: NewEntry[] = [];
  if (a.paid.amountMinor > 0n)
    entries.push({
      id: ids.paid,
      patientId: claim.patientId,
      amount: { currency: claim.total.currency, amountMinor: -a.paid.amountMinor },
      kind: 'insurance-payment',
      cause,
      createdBy: by,
    });
  const contractual = claim.total.amountMinor - a.allowed.amountMinor;
  if (contractual > 0n)
    entries.push({
      id: ids.contractual,
      patientId: claim.patientId,
      amount: { currency: claim.total.currency, amountMinor: -contractual },
      kind: 'adjustment-writeoff',
      cause,
      createdBy: by,
    });
  return entries;
}
