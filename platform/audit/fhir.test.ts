import { describe, expect, it } from 'vitest';

import { canonicalPayload, type AuditEntryInput } from './entry.js';
import { toFhirAuditEvent } from './fhir.js';
import { toAuditRecord } from './record.js';
import { sampleEntry } from './testing.js';

const eventOf = (input: AuditEntryInput) =>
  toFhirAuditEvent(
    toAuditRecord({ seq: 17, payload: canonicalPayload(input), hash: 'ab'.repeat(32) }),
  );

describe('toFhirAuditEvent', () => {
  it('describes a permitted read as a FHIR R4 AuditEvent', () => {
    const ev = eventOf(sampleEntry(1));
    expect(ev).toMatchObject({
      resourceType: 'AuditEvent',
      id: '17',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
      action: 'R',
      recorded: '2025-01-01T12:00:01.000Z',
      outcome: '0',
      purposeOfEvent: [
        {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }],
        },
      ],
      source: { observer: { display: 'carefed' } },
      extension: [{ url: 'urn:carefed:fhir:audit-leaf-hash', valueString: 'ab'.repeat(32) }],
    });
    const [user, app] = ev.agent as Record<string, unknown>[];
    expect(user).toMatchObject({
      who: { reference: 'Practitioner/prac-1', identifier: { value: 'user-clin-1' } },
      requestor: true,
      network: { address: '10.0.0.7', type: '2' },
    });
    expect(app).toMatchObject({ who: { identifier: { value: 'web' } }, requestor: false });
    const entity = ev.entity as Record<string, unknown>[];
    expect(entity.map((e) => e.what)).toEqual([
      { reference: 'Patient/pat-1' },
      { reference: 'Observation/obs-1' },
      { identifier: { value: 'req-1' } },
    ]);
    expect(JSON.stringify(ev)).not.toContain('null');
    expect(ev).not.toHaveProperty('outcomeDesc');
  });

  it('maps actions and outcomes', () => {
    expect(eventOf(sampleEntry(2, { action: 'create' }))).toMatchObject({ action: 'C' });
    expect(eventOf(sampleEntry(2, { action: 'search', resourceId: undefined }))).toMatchObject({
      action: 'E',
      subtype: [{ code: 'search' }],
    });
    expect(eventOf(sampleEntry(2, { action: 'export' }))).toMatchObject({
      type: { code: '110106' },
    });
    expect(eventOf(sampleEntry(2, { outcome: 'deny', reason: 'CONSENT_DENY' }))).toMatchObject({
      outcome: '4',
      outcomeDesc: 'CONSENT_DENY',
    });
    expect(eventOf(sampleEntry(2, { outcome: 'error' }))).toMatchObject({ outcome: '8' });
  });

  it('marks emergency access with its reason on the patient entity', () => {
    const ev = eventOf(
      sampleEntry(3, {
        action: 'emergency-access',
        purpose: 'ETREAT',
        emergency: true,
        reason: 'BTG-UNCONSCIOUS',
      }),
    );
    expect(ev).toMatchObject({
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113' },
      subtype: [{ code: '110127' }],
      action: 'E',
      purposeOfEvent: [{ coding: [{ code: 'ETREAT' }] }],
    });
    const [patient] = ev.entity as { detail?: unknown }[];
    expect(patient!.detail).toEqual([
      { type: 'emergency-access', valueString: 'true' },
      { type: 'emergency-reason', valueString: 'BTG-UNCONSCIOUS' },
    ]);
  });
});
