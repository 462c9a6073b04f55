import { describe, expect, it } from 'vitest';
import { signatureProblem, signPayload } from './signature.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const body = Buffer.from('{"id":"tev_1"}');
const now = new Date('2026-12-04T06:00:00Z');
const t = Math.floor(now.getTime() / 1000);

describe('payment callback signatures', () => {
  it('#2 accepts the provider’s signature over the raw body, within the tolerance', () => {
    expect(signatureProblem(SECRET, body, signPayload(SECRET, body, t), now)).toBeNull();
    expect(signatureProblem(SECRET, body, signPayload(SECRET, body, t - 299), now)).toBeNull();
  });

  it('#2 refuses a missing, malformed, stale, foreign or altered signature', () => {
    expect(signatureProblem(SECRET, body, undefined, now)).toBe('missing');
    expect(signatureProblem(SECRET, body, 'v1=abc', now)).toBe('malformed');
    expect(signatureProblem(SECRET, body, signPayload(SECRET, body, t - 301), now)).toBe('stale');
    expect(signatureProblem(SECRET, body, signPayload(`${SECRET}x`, body, t), now)).toBe(
      'mismatch',
    );
    const altered = Buffer.from('{"id":"tev_2"}');
    expect(signatureProblem(SECRET, altered, signPayload(SECRET, body, t), now)).toBe('mismatch');
    // A signature for another timestamp does not carry over.
    const sig = signPayload(SECRET, body, t).replace(`t=${t}`, `t=${t - 1}`);
    expect(signatureProblem(SECRET, body, sig, now)).toBe('mismatch');
  });
});
