import { describe, expect, it } from 'vitest';

import { canonicalPayload } from './entry.js';
import { toAuditRecord } from './record.js';
import { sampleEntry } from './testing.js';

describe('canonicalPayload', () => {
  it('writes a fixed key order, UTC ISO time and omits undefined fields', () => {
    const text = canonicalPayload(
      sampleEntry(3, {
        occurredAt: new Date('2025-03-01T10:00:00+02:00'),
        ip: undefined,
        actor: { patientId: undefined, clientId: 'web', roles: ['clinician'], sub: 'u1' },
      }),
    );
    expect(text).toBe(
      '{"v":1,"occurredAt":"2025-03-01T08:00:00.000Z","requestId":"req-3",' +
        '"actor":{"sub":"u1","roles":["clinician"],"clientId":"web"},"patientId":"pat-0",' +
        '"resourceType":"Observation","resourceId":"obs-3","action":"read","purpose":"TREAT","outcome":"permit"}',
    );
  });

  it('gives the same text whatever order the caller built the input in', () => {
    const a = sampleEntry(4, { emergency: true, reason: 'BTG-1' });
    const b = Object.fromEntries(Object.entries(a).reverse()) as typeof a;
    expect(canonicalPayload(b)).toBe(canonicalPayload(a));
  });

  it('rejects an invalid time', () => {
    expect(() => canonicalPayload(sampleEntry(1, { occurredAt: new Date('nope') }))).toThrow(
      TypeError,
    );
  });

  it('round-trips through the stored form into an AuditRecord', () => {
    const input = sampleEntry(5, { emergency: true, reason: 'BTG-2' });
    const rec = toAuditRecord({ seq: '42', payload: canonicalPayload(input), hash: 'h' });
    expect(rec).toMatchObject({
      seq: 42,
      occurredAt: input.occurredAt,
      clientId: 'web',
      emergency: true,
      reason: 'BTG-2',
      patientId: 'pat-2',
    });
    expect(() => toAuditRecord({ seq: 1, payload: '{"secret":"x"}', hash: 'h' })).toThrow(
      'Audit entry 1 has an unrecognised payload',
    );
  });
});
