import { describe, expect, it } from 'vitest';
import { activeGrant, validateBreakGlassReason, type BreakGlassGrant } from './break-glass.js';

describe('validateBreakGlassReason', () => {
  it.each<[string, string, string | null]>([
    ['exactly 10 characters', '0123456789', '0123456789'],
    ['trimmed before counting', '   unconscious in ED, no ID   ', 'unconscious in ED, no ID'],
    ['exactly 500 characters', 'x'.repeat(500), 'x'.repeat(500)],
    ['newlines and tabs inside are fine', 'line one\n\tline two', 'line one\n\tline two'],
    ['9 characters', '012345678', null],
    ['10 characters only with padding', '   12345   ', null],
    ['empty', '', null],
    ['blank', ' \n\t ', null],
    ['501 characters', 'x'.repeat(501), null],
    ['control character', 'patient crashing\u0000now', null],
    ['escape sequence', 'patient crashing \u001b[2J', null],
  ])('%s', (_name, input, expected) => {
    const check = validateBreakGlassReason(input);
    if (expected === null) {
      expect(check.ok).toBe(false);
      if (!check.ok) expect(check.message).not.toContain(input.trim() || '\u0000');
    } else {
      expect(check).toEqual({ ok: true, reason: expected });
    }
  });

  it('says what length is wanted', () => {
    expect(validateBreakGlassReason('short')).toEqual({
      ok: false,
      message: 'Give a reason of 10 to 500 characters for emergency access',
    });
  });
});

describe('activeGrant', () => {
  const t0 = new Date('2025-06-15T12:00:00Z');
  const min = (n: number) => new Date(t0.getTime() + n * 60_000);
  const grant = (over: Partial<BreakGlassGrant>): BreakGlassGrant => ({
    id: 'g1',
    patientId: 'p1',
    practitionerId: 'pr-a',
    reason: 'unconscious in ED',
    grantedAt: t0,
    expiresAt: min(60),
    ...over,
  });

  it.each<[string, BreakGlassGrant[], string, string, Date, string | undefined]>([
    ['in force', [grant({})], 'pr-a', 'p1', min(30), 'g1'],
    ['at the moment of granting', [grant({})], 'pr-a', 'p1', t0, 'g1'],
    [
      'a millisecond before expiry',
      [grant({})],
      'pr-a',
      'p1',
      new Date(min(60).getTime() - 1),
      'g1',
    ],
    ['at expiry (exclusive)', [grant({})], 'pr-a', 'p1', min(60), undefined],
    ['after expiry', [grant({})], 'pr-a', 'p1', min(61), undefined],
    ['before granting', [grant({})], 'pr-a', 'p1', min(-1), undefined],
    ['another practitioner', [grant({})], 'pr-b', 'p1', min(30), undefined],
    ['another patient', [grant({})], 'pr-a', 'p2', min(30), undefined],
    ['no grants', [], 'pr-a', 'p1', min(30), undefined],
    [
      'the longest-running of overlapping grants',
      [
        grant({ id: 'short' }),
        grant({ id: 'long', expiresAt: min(90) }),
        grant({ id: 'mid', expiresAt: min(75) }),
      ],
      'pr-a',
      'p1',
      min(30),
      'long',
    ],
    [
      'skips expired ones',
      [grant({ id: 'old', grantedAt: min(-120), expiresAt: min(-60) }), grant({ id: 'new' })],
      'pr-a',
      'p1',
      min(30),
      'new',
    ],
  ])('%s', (_name, grants, practitionerId, patientId, now, expected) => {
    expect(activeGrant(grants, practitionerId, patientId, now)?.id).toBe(expected);
  });
});
