import type { Money } from './money.js';

/**
 * Rules of a patient account ledger, free of I/O. An account (one patient,
 * one currency) holds append-only entries; its balance is their sum.
 * Positive amounts are what the patient owes (debits), negative ones reduce
 * it (credits). A posted entry is never changed: a mistake is undone by a
 * reversal entry of the opposite amount that points to it.
 */
export const ENTRY_KINDS = [
  'charge',
  'payment',
  'refund',
  'adjustment-writeoff',
  'adjustment-correction',
  'insurance-payment',
  'reversal',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** What an entry was caused by: every entry can be traced to one of these. */
export const CAUSE_TYPES = ['appointment', 'claim', 'payment', 'user'] as const;
export type CauseType = (typeof CAUSE_TYPES)[number];

export interface Cause {
  type: CauseType;
  id: string;
}

/** The sign an entry of a kind must carry: +1 debit, -1 credit, 0 either (never zero). */
export const SIGN: Record<EntryKind, 1 | -1 | 0> = {
  charge: 1,
  // Money handed back to the patient undoes part of a credit: the balance rises.
  refund: 1,
  payment: -1,
  'insurance-payment': -1,
  'adjustment-writeoff': -1,
  'adjustment-correction': 0,
  reversal: 0,
};

/** Which causes each kind may point to. */
export const CAUSES: Record<EntryKind, readonly CauseType[]> = {
  charge: ['appointment'],
  payment: ['payment'],
  refund: ['payment'],
  'insurance-payment': ['claim', 'payment'],
  'adjustment-writeoff': ['claim', 'user'],
  'adjustment-correction': ['user', 'claim'],
  // An appointment reversal: a newer event (e.g. a cancellation) superseded the one that charged.
  reversal: ['user', 'claim', 'payment', 'appointment'],
};

/** An entry to post; `id` is chosen by the caller so a replay posts nothing new. */
export interface NewEntry {
  id: string;
  patientId: string;
  amount: Money;
  kind: EntryKind;
  cause: Cause;
  /** Only for `reversal`: the entry it undoes. */
  reversesEntryId?: string;
  createdBy: string;
}

/** A posted entry as read back. */
export interface PostedEntry extends NewEntry {
  createdAt: Date;
}

/**
 * Why `entry` may not be posted, or undefined when it may. The database
 * enforces the same rules (checks and a trigger); this gives callers a clear
 * message before a round trip.
 */
export function entryProblem(entry: NewEntry): string | undefined {
  const amount = entry.amount.amountMinor;
  if (amount === 0n) return 'An entry moves a non-zero amount';
  const sign = SIGN[entry.kind];
  if (sign === 1 && amount < 0n) return `A ${entry.kind} is a positive amount`;
  if (sign === -1 && amount > 0n) return `A ${entry.kind} is a negative amount`;
  if (!CAUSES[entry.kind].includes(entry.cause.type))
    return `A ${entry.kind} cannot be caused by a ${entry.cause.type}`;
  if (!entry.cause.id) return 'An entry names its cause';
  if ((entry.kind === 'reversal') !== (entry.reversesEntryId !== undefined))
    return 'Exactly reversal entries point to the entry they reverse';
  return undefined;
}

/**
 * The entry that undoes `original`: same account and currency, the opposite
 * amount. A reversal itself is never reversed (post a new entry instead), so
 * the chain stays one link long and "is this undone?" is one lookup.
 */
export function reversalOf(original: PostedEntry, id: string, cause: Cause, by: string): NewEntry {
  if (original.kind === 'reversal') throw new RangeError('A reversal cannot be reversed');
  return {
    id,
    patientId: original.patientId,
    amount: { ...original.amount, amountMinor: -original.amount.amountMinor },
    kind: 'reversal',
    cause,
    reversesEntryId: original.id,
    createdBy: by,
  };
}
