import { describe, expect, it } from 'vitest';
import {
  requireDay,
  requireFacilityId,
  requireLotNumber,
  requireNote,
  requirePrice,
  requireReason,
  requireUnits,
  stockBadInput,
  stockConflict,
} from './stock-rules.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    return (e as { extensions?: { code?: string } }).extensions?.code;
  }
};

describe('stock rules', () => {
  it('accepts FHIR Location ids, lot numbers and calendar days, and refuses the rest', () => {
    expect(requireFacilityId('loc-main.1')).toBe('loc-main.1');
    expect(codeOf(() => requireFacilityId('loc/1'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => requireFacilityId('x'.repeat(65)))).toBe('BAD_USER_INPUT');
    expect(requireLotNumber('AB-12/3.4')).toBe('AB-12/3.4');
    expect(codeOf(() => requireLotNumber('AB 12'))).toBe('BAD_USER_INPUT');
    expect(requireDay('2028-02-29', 'd')).toBe('2028-02-29');
    expect(codeOf(() => requireDay('2027-02-29', 'd'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => requireDay('2027-1-01', 'd'))).toBe('BAD_USER_INPUT');
  });

  it('bounds quantities, reasons, notes and prices', () => {
    expect(requireUnits(5, 'q')).toBe(5);
    for (const bad of [0, -1, 1.5, Number.NaN, 1_000_001])
      expect(codeOf(() => requireUnits(bad, 'q'))).toBe('BAD_USER_INPUT');
    expect(requireReason('count-correction')).toBe('count-correction');
    expect(codeOf(() => requireReason('theft'))).toBe('BAD_USER_INPUT');
    expect(requireNote('')).toBeNull();
    expect(requireNote(undefined)).toBeNull();
    expect(codeOf(() => requireNote('two\nlines'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => requireNote('x'.repeat(201)))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => requirePrice(0n, 'USD'))).toBe('accepted');
    expect(codeOf(() => requirePrice(-1n, 'USD'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => requirePrice(1n, 'US'))).toBe('BAD_USER_INPUT');
  });

  it('carries the refusal reason beside the platform code', () => {
    expect(stockConflict('NO_FILLS_LEFT', 'm').extensions).toEqual({
      code: 'CONFLICT',
      reason: 'NO_FILLS_LEFT',
    });
    expect(stockBadInput('LOT_EXPIRED', 'm', 'expiresOn').extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'expiresOn',
      reason: 'LOT_EXPIRED',
    });
  });
});
