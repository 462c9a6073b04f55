import { describe, expect, it } from 'vitest';
import {
  chargesFor,
  DEFAULT_POLICY,
  parseBillingPolicy,
  ratedCodes,
  type BillingPolicy,
} from './charge-policy.js';
import { money } from './money.js';

const rates = new Map([
  ['G0463', money(13602n, 'USD')],
  ['G0008', money(4550n, 'USD')],
  ['A9513', null],
]);
const rate = (code: string) => rates.get(code);
const withFee: BillingPolicy = { ...DEFAULT_POLICY, noShowFee: money(2500n, 'USD') };

describe('chargesFor', () => {
  it('charges a fulfilled appointment its visit codes at the fee schedule rate', () => {
    expect(chargesFor('fulfilled', DEFAULT_POLICY, rate)).toEqual([
      { kind: 'service', code: 'G0463', units: 1, unitFee: money(13602n, 'USD') },
    ]);
    const two = parseBillingPolicy('G0463,G0008*2');
    expect(chargesFor('fulfilled', two, rate).map((c) => [c.code, c.units])).toEqual([
      ['G0463', 1],
      ['G0008', 2],
    ]);
    expect(ratedCodes('fulfilled', two)).toEqual(['G0463', 'G0008']);
  });

  it('charges a no-show the policy fee, and nothing without one', () => {
    expect(chargesFor('noshow', withFee, rate)).toEqual([
      { kind: 'no-show-fee', code: 'NO-SHOW', units: 1, unitFee: money(2500n, 'USD') },
    ]);
    expect(chargesFor('noshow', DEFAULT_POLICY, rate)).toEqual([]);
    expect(ratedCodes('noshow', withFee)).toEqual([]);
  });

  it('charges nothing for other states', () => {
    for (const status of ['proposed', 'booked', 'arrived', 'cancelled'])
      expect(chargesFor(status, withFee, rate)).toEqual([]);
  });

  it('refuses to guess a missing rate, naming the code', () => {
    expect(() => chargesFor('fulfilled', parseBillingPolicy('Z9999'), rate)).toThrow(
      'Fee schedule has no code Z9999',
    );
    expect(() => chargesFor('fulfilled', parseBillingPolicy('A9513'), rate)).toThrow(
      'Fee schedule has no payment rate for code A9513',
    );
    expect(() => chargesFor('fulfilled', DEFAULT_POLICY, () => money(13602n, 'EUR'))).toThrow(
      /not in USD/,
    );
  });
});

describe('parseBillingPolicy', () => {
  it('reads codes with units and an exact no-show fee', () => {
    expect(parseBillingPolicy('G0463')).toEqual(DEFAULT_POLICY);
    expect(parseBillingPolicy('G0463*3', '25.50')).toEqual({
      currency: 'USD',
      visitCodes: [{ code: 'G0463', units: 3 }],
      noShowFee: money(2550n, 'USD'),
    });
    expect(parseBillingPolicy('G0463', '').noShowFee).toBeNull();
  });

  it('refuses malformed codes, units, duplicates and fees', () => {
    for (const bad of ['g0463', 'G0463*0', 'G0463*1000', 'G0463*1*2', 'G0463,G0463', 'NO-SHOW'])
      expect(() => parseBillingPolicy(bad), bad).toThrow(RangeError);
    expect(() => parseBillingPolicy('G0463', '25.005')).toThrow(RangeError);
    expect(() => parseBillingPolicy('G0463', '0')).toThrow(/positive/);
  });
});
