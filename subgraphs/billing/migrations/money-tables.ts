/**
 * Billing's append-only money tables besides the ledger: each has a trigger
 * refusing UPDATE, DELETE and TRUNCATE, and passes with the ledger to the
 * NOLOGIN guard role (`spec.ts`). A state change is a new row.
 */
export const MONEY_TABLES = [
  'payment',
  'refund',
  'adjustment',
  'charge',
  'claim_record',
  'claim_state',
  'claim_charge',
  'claim_version',
  'statement',
  'statement_line',
  'payment_intent',
  'payment_intent_event',
] as const;
