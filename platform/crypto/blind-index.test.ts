import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blindIndex } from './blind-index.js';

const key = randomBytes(32);

describe('blindIndex', () => {
  it('is deterministic 64-char hex HMAC-SHA256', () => {
    const a = blindIndex(key, 'patient.mrn', 'MRN-0042');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(key, 'patient.mrn', 'MRN-0042')).toBe(a);
  });

  it('normalises case, surrounding and repeated white space, and compatibility forms', () => {
    const a = blindIndex(key, 'patient.name', 'Mary Ann', 'Smith');
    expect(blindIndex(key, 'patient.name', '  MARY   ann\t', 'smith ')).toBe(a);
    // Full-width letters and a non-breaking space are NFKC-equivalent to ASCII.
    expect(blindIndex(key, 'patient.name', 'Ｍａｒｙ\u00a0Ａｎｎ', 'Ｓｍｉｔｈ')).toBe(a);
    // Composed and decomposed accents give the same token.
    expect(blindIndex(key, 'p.n', 'Jos\u00e9')).toBe(blindIndex(key, 'p.n', 'Jose\u0301'));
    expect(blindIndex(key, 'patient.name', 'Mary Anne', 'Smith')).not.toBe(a);
  });

  it('differs per purpose and per key', () => {
    const a = blindIndex(key, 'patient.mrn', '12345');
    expect(blindIndex(key, 'coverage.member_id', '12345')).not.toBe(a);
    expect(blindIndex(randomBytes(32), 'patient.mrn', '12345')).not.toBe(a);
  });

  it('keeps part boundaries: ("ab","c") differs from ("a","bc") and from "abc"', () => {
    const ab = blindIndex(key, 'x', 'ab', 'c');
    expect(blindIndex(key, 'x', 'a', 'bc')).not.toBe(ab);
    expect(blindIndex(key, 'x', 'abc')).not.toBe(ab);
    expect(blindIndex(key, 'x', 'ab","c')).not.toBe(ab);
  });

  it('refuses a short key, a bad purpose and no parts', () => {
    expect(() => blindIndex(randomBytes(16), 'x', 'a')).toThrow(/32 bytes/);
    expect(() => blindIndex(key, '', 'a')).toThrow(/purpose/);
    expect(() => blindIndex(key, 'x')).toThrow(/at least one/);
  });
});
