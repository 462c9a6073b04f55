import { parseMoney, type Money } from './money.js';

/** What billing charges for an appointment, by its status. */
export interface BillingPolicy {
  currency: 'USD';
  /** Charged once per completed (fulfilled) appointment, at the fee schedule's rate. */
  visitCodes: { code: string; units: number }[];
  /** Charged for a no-show; null: no-shows are not charged. */
  noShowFee: Money | null;
}

/** One hospital outpatient clinic visit per completed appointment; no no-show fee. */
export const DEFAULT_POLICY: BillingPolicy = {
  currency: 'USD',
  visitCodes: [{ code: 'G0463', units: 1 }],
  noShowFee: null,
};

/** The code a no-show fee is charged under (not a HCPCS code). */
export const NO_SHOW_CODE = 'NO-SHOW';

const HCPCS = /^[A-Z][0-9]{4}$/;

/**
 * A policy from its configured text: `visitCodes` as `CODE` or `CODE*UNITS`,
 * comma-separated ("G0463", "G0463*1,G0008*2"); `noShowFee` as a decimal
 * string in USD ("25.00"), empty or absent for none. Throws on anything else.
 */
export function parseBillingPolicy(visitCodes: string, noShowFee?: string): BillingPolicy {
  const codes = visitCodes
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [code = '', units = '1', ...rest] = part.split('*');
      if (!HCPCS.test(code) || rest.length || !/^[1-9][0-9]{0,2}$/.test(units))
        throw new RangeError(`Visit code "${part}" is not CODE or CODE*UNITS (1-999)`);
      return { code, units: Number(units) };
    });
  if (new Set(codes.map((c) => c.code)).size !== codes.length)
    throw new RangeError('A visit code is listed twice');
  const fee = noShowFee?.trim() ? parseMoney(noShowFee, 'USD') : null;
  if (fee && fee.amountMinor <= 0n) throw new RangeError('A no-show fee is positive');
  return { currency: 'USD', visitCodes: codes, noShowFee: fee };
}

/** A charge an appointment state calls for. */
export interface PlannedCharge {
  kind: 'service' | 'no-show-fee';
  code: string;
  units: number;
  unitFee: Money;
}

/** The fee schedule's rate of a code: null when the schedule has the code without a rate. */
export type RateLookup = (code: string) => Money | null | undefined;

/** The codes whose rates `chargesFor` needs for `status` under `policy`. */
export function ratedCodes(status: string, policy: BillingPolicy): string[] {
  return status === 'fulfilled' ? policy.visitCodes.map((c) => c.code) : [];
}

/**
 * The charges an appointment in `status` calls for: a fulfilled appointment
 * its visit codes at the fee schedule's rate, a no-show the policy's fee
 * (when set), anything else (proposed, booked, arrived, cancelled) none.
 * A visit code without a usable rate throws naming the code, so the event is
 * retried and an operator sees it, rather than billing a guess.
 */
export function chargesFor(
  status: string,
  policy: BillingPolicy,
  rate: RateLookup,
): PlannedCharge[] {
  if (status === 'noshow')
    return policy.noShowFee
      ? [{ kind: 'no-show-fee', code: NO_SHOW_CODE, units: 1, unitFee: policy.noShowFee }]
      : [];
  if (status !== 'fulfilled') return [];
  return policy.visitCodes.map(({ code, units }) => {
    const fee = rate(code);
    if (fee === undefined) throw new Error(`Fee schedule has no code ${code}`);
    if (fee === null) throw new Error(`Fee schedule has no payment rate for code ${code}`);
    if (fee.currency !== policy.currency)
      throw new Error(`Fee schedule rate for code ${code} is not in ${policy.currency}`);
    if (fee.amountMinor <= 0n)
      throw new Error(`Fee schedule rate for code ${code} is not positive`);
    return { kind: 'service', code, units, unitFee: fee };
  });
}
