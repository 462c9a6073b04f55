import { GraphQLError } from 'graphql';
import { badInput } from '../../../platform/errors/index.js';

/**
 * Stock's input rules and refusals, free of I/O. Refusals carry a `reason`
 * in `extensions` beside the platform's `code`, and never name a patient,
 * a prescription's content or a count the caller did not send.
 */

/** Why a stock movement or a dispense was refused (`extensions.reason`). */
export type StockRefusal =
  | 'INSUFFICIENT_STOCK'
  | 'NO_FILLS_LEFT'
  | 'PRESCRIPTION_NOT_ACTIVE'
  | 'PRESCRIPTION_EXPIRED'
  | 'QUANTITY_EXCEEDS_PRESCRIPTION'
  | 'STOCK_BELOW_ZERO'
  | 'LOT_EXPIRY_MISMATCH'
  | 'LOT_EXPIRED';

/** CONFLICT for a refusal the stock's or the prescription's state decides. */
export const stockConflict = (reason: StockRefusal, message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'CONFLICT', reason } });

/** BAD_USER_INPUT for a refusal of what the caller asked, naming the field. */
export const stockBadInput = (reason: StockRefusal, message: string, field: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field, reason } });

/** Why an adjustment is made (`stock_ledger.reason`). */
export const ADJUSTMENT_REASONS = [
  'waste',
  'expiry',
  'count-correction',
  'damaged',
  'return-to-supplier',
] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

/** The largest quantity one movement may carry (a prescription's fill is at most 100,000). */
export const MAX_UNITS = 1_000_000;

const FACILITY = /^[A-Za-z0-9.-]{1,64}$/;
const RXCUI = /^[0-9]{1,12}$/;
const LOT = /^[A-Za-z0-9./-]{1,40}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CURRENCY = /^[A-Z]{3}$/;

export function requireFacilityId(v: string, field = 'facilityId'): string {
  if (!FACILITY.test(v)) throw badInput('A facility id is a FHIR Location id', field);
  return v;
}

export function requireRxcui(v: string, field = 'drugRxcui'): string {
  if (!RXCUI.test(v)) throw badInput('A drug is an RxNorm concept id (digits)', field);
  return v;
}

export function requireLotNumber(v: string): string {
  if (!LOT.test(v))
    throw badInput('A lot number is 1–40 letters, digits, dots, dashes or slashes', 'lotNumber');
  return v;
}

/** A real calendar day, `YYYY-MM-DD`. */
export function requireDay(v: string, field: string): string {
  const d = new Date(`${v}T00:00:00.000Z`);
  if (!DAY.test(v) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v)
    throw badInput('A date is a calendar date (YYYY-MM-DD)', field);
  return v;
}

/** A whole number of units from 1 to `max`. */
export function requireUnits(v: number, field: string, max = MAX_UNITS): number {
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw badInput(`A quantity is a whole number from 1 to ${max}`, field);
  return v;
}

export function requireReason(v: string): AdjustmentReason {
  const r = ADJUSTMENT_REASONS.find((x) => x === v);
  if (!r) throw badInput(`A reason is one of ${ADJUSTMENT_REASONS.join(', ')}`, 'reason');
  return r;
}

/** A note on a movement: at most 200 characters, no control characters. Never PHI (the caller's rule). */
export function requireNote(v: string | null | undefined): string | null {
  if (v == null || v === '') return null;
  if (v.length > 200 || /[\u0000-\u001f\u007f]/.test(v))
    throw badInput('A note is at most 200 characters on one line', 'note');
  return v;
}

/** A price in minor units (non-negative integer) and its ISO 4217 currency. */
export function requirePrice(unitPriceMinor: bigint, currency: string): void {
  if (unitPriceMinor < 0n || unitPriceMinor > 10n ** 12n)
    throw badInput('A unit price is a non-negative amount in minor units', 'unitPriceMinor');
  if (!CURRENCY.test(currency)) throw badInput('A currency is an ISO 4217 code', 'currency');
}

/** Who recorded a movement: a principal's `sub` or a `system:` actor. */
export function requireActor(v: string): string {
  if (!v || v.length > 200) throw badInput('The actor is required', 'by');
  return v;
}
