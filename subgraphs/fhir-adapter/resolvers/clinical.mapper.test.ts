import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNdjson } from '../../../platform/data/ndjson.js';
import type { ClinicalRow, ClinicalType } from './clinical-row.js';
import { toClinical } from './clinical.mapper.js';
import type {
  AllergyIntolerance,
  CarePlan,
  Condition,
  Device,
  DiagnosticReport,
  DocumentReference,
  Encounter,
  Immunization,
  MedicationRecord,
  Observation,
  Procedure,
} from './clinical.types.js';
import { syntheaDir } from '../domain/testing.js';
import type { FhirResource } from '../store/resource-writes.js';

type Json = Record<string, unknown>;

function row(resource: Json, extra: Partial<ClinicalRow> = {}): ClinicalRow {
  return {
    id: typeof resource.id === 'string' ? resource.id : 'r1',
    type: resource.resourceType as ClinicalType,
    patientId: 'p1',
    version: 3,
    lastUpdated: new Date('2024-05-01T10:00:00Z'),
    status: typeof resource.status === 'string' ? resource.status : null,
    labels: [],
    resource: resource as FhirResource,
    ...extra,
  };
}

const SYNTHEA_TYPES = [
  'Encounter',
  'Condition',
  'AllergyIntolerance',
  'Immunization',
  'Procedure',
  'DocumentReference',
  'Device',
  'MedicationRequest',
] as const;

const synthea = Object.fromEntries(
  SYNTHEA_TYPES.map((t) => [t, readNdjson<Json>(path.join(syntheaDir(), `${t}.000.ndjson`))]),
) as Record<(typeof SYNTHEA_TYPES)[number], Json[]>;

function byId(type: (typeof SYNTHEA_TYPES)[number], id: string): Json {
  const found = synthea[type].find((r) => r.id === id);
  if (!found) throw new Error(`${type}/${id} not in the export`);
  return structuredClone(found);
}

describe('toClinical over the Synthea export', () => {
  it.each(SYNTHEA_TYPES)('maps every %s without throwing', (type) => {
    expect(synthea[type].length).toBeGreaterThan(0);
    for (const r of synthea[type]) {
      const out = toClinical(row(r));
      expect(out.resourceType).toBe(type);
      expect(JSON.parse(JSON.stringify(out))).toBeTruthy();
    }
  });

  it('survives resources stripped to resourceType, and elements of the wrong shape', () => {
    for (const type of SYNTHEA_TYPES) {
      expect(() => toClinical(row({ resourceType: type }))).not.toThrow();
      const garbled = Object.fromEntries(
        Object.keys(synthea[type][0]!).map((k) => [k, k === 'resourceType' ? type : 42]),
      );
      expect(() => toClinical(row(garbled))).not.toThrow();
    }
  });
});

describe('typed fields', () => {
  it('Encounter: class, type, period, reasons, resolved participants only', () => {
    const r = byId('Encounter', '00c7f717-4030-5582-2ed8-888ad2bc878e');
    const participants = r.participant as Json[];
    participants.push({ individual: { reference: 'Practitioner/pr-42' } });
    r.appointment = [{ reference: 'Appointment/ap-1' }];
    const e = toClinical(row(r)) as Encounter;
    expect(e.class).toEqual({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      code: 'AMB',
      display: null,
    });
    expect(e.types[0]?.codings[0]?.code).toBe('185347001');
    expect(e.period).toEqual({
      start: '1989-10-04T02:25:16-04:00',
      end: '1989-10-04T06:20:16-04:00',
    });
    expect(e.reasons[0]?.codings[0]?.display).toBe('End-stage renal disease (disorder)');
    expect(e.participantIds).toEqual(['pr-42']);
    expect(e.practitionerId).toBe('pr-42');
    expect(e.appointmentId).toBe('ap-1');
  });

  it('Condition: statuses, category, code, onset, abatement, encounter', () => {
    const r = byId('Condition', '0023b3a7-2ded-840c-ee5b-6b123fdcfb0b');
    const c = toClinical(row(r)) as Condition;
    expect(c.clinicalStatus).toBe('active');
    expect(c.verificationStatus).toBe('confirmed');
    expect(c.categories[0]?.codings[0]?.code).toBe('encounter-diagnosis');
    expect(c.code).toEqual({
      text: 'Sepsis (disorder)',
      codings: [
        { system: 'http://snomed.info/sct', code: '91302008', display: 'Sepsis (disorder)' },
      ],
    });
    expect(c.onset).toBe('1976-01-19T22:58:16-05:00');
    expect(c.recordedDate).toBe('1976-01-19T22:58:16-05:00');
    expect(c.encounterId).toBe('f6003197-6507-1168-87be-ceccd5517094');
    const abated = synthea.Condition.find((x) => x.abatementDateTime)!;
    expect((toClinical(row(abated)) as Condition).abatement).toBe(abated.abatementDateTime);
  });

  it('AllergyIntolerance: plain categories, criticality, reactions', () => {
    const a = toClinical(
      row(byId('AllergyIntolerance', '1b2ce4a9-9773-f40f-6692-cb4d1283a9ca')),
    ) as AllergyIntolerance;
    expect(a).toMatchObject({
      clinicalStatus: 'active',
      verificationStatus: 'confirmed',
      type: 'allergy',
      categories: ['medication'],
      criticality: 'low',
      recordedDate: '1996-12-27T04:21:52-05:00',
    });
    expect(a.code?.text).toBe('Aspirin');
    const withReaction = synthea.AllergyIntolerance.find((x) => x.reaction)!;
    const reactions = (toClinical(row(withReaction)) as AllergyIntolerance).reactions;
    expect(reactions.length).toBeGreaterThan(0);
    expect(reactions[0]!.manifestations.length).toBeGreaterThan(0);
  });

  it('Immunization: vaccine, occurrence, primary source', () => {
    const i = toClinical(
      row(synthea.Immunization.find((x) => x.id === '04912b69-f775-5a9d-3e8b-9d06c28165ad')!),
    ) as Immunization;
    expect(i.vaccineCode?.codings[0]).toEqual({
      system: 'http://hl7.org/fhir/sid/cvx',
      code: '62',
      display: 'HPV, quadrivalent',
    });
    expect(i.occurrence).toBe('2014-08-19T01:16:46-04:00');
    expect(i.primarySource).toBe(true);
    expect(i.encounterId).toBe('0d3f79d5-ee2c-af5f-18bb-0cde9480457f');
  });

  it('Procedure: performed period, or a dateTime as start = end; referenced reasons by display', () => {
    const r = byId('Procedure', '0007498e-ddd1-0048-bc43-bf238e4b3f01');
    const p = toClinical(row(r)) as Procedure;
    expect(p.code?.text).toBe('Medication Reconciliation (procedure)');
    expect(p.performed).toEqual({
      start: '2022-06-22T12:31:08-04:00',
      end: '2022-06-22T12:46:08-04:00',
    });
    delete r.performedPeriod;
    r.performedDateTime = '2022-06';
    r.reasonReference = [{ reference: 'Condition/x', display: 'Hypertension' }];
    const q = toClinical(row(r)) as Procedure;
    expect(q.performed).toEqual({ start: '2022-06', end: '2022-06' });
    expect(q.reasons).toEqual([{ text: 'Hypertension', codings: [] }]);
  });

  it('DocumentReference: type, category, text decoded from base64', () => {
    const d = toClinical(
      row(byId('DocumentReference', '00212c89-d070-985e-b695-b5f12fffd23e')),
    ) as DocumentReference;
    expect(d.type?.codings.map((c) => c.code)).toEqual(['34117-2', '51847-2']);
    expect(d.categories[0]?.codings[0]?.code).toBe('clinical-note');
    expect(d.date).toBe('1987-11-19T00:22:16.824-05:00');
    expect(d.contents[0]?.contentType).toBe('text/plain; charset=utf-8');
    expect(d.contents[0]?.text).toContain('# Chief Complaint');
    const binary = toClinical(
      row({
        resourceType: 'DocumentReference',
        content: [{ attachment: { contentType: 'application/pdf', data: 'JVBERi0=', size: 5 } }],
      }),
    ) as DocumentReference;
    expect(binary.contents[0]).toMatchObject({ text: null, size: 5 });
  });

  it('Device: type, names, first UDI, dates', () => {
    const d = toClinical(row(byId('Device', '031165b5-6fd0-d716-ccc3-bbaba3ab379a'))) as Device;
    expect(d.type?.codings[0]?.code).toBe('337414009');
    expect(d.deviceNames).toEqual(['Blood glucose meter (physical object)']);
    expect(d.udiCarrier?.deviceIdentifier).toBe('96702913868313');
    expect(d.udiCarrier?.carrierHRF).toMatch(/^\(01\)96702913868313/);
    expect(d.lotNumber).toBe('528662860311789');
    expect(d.manufactureDate).toBe('1958-07-12T23:58:16-04:00');
    expect(d.expirationDate).toBe('1983-07-27T23:58:16-04:00');
  });

  it('MedicationRequest: kind, medication, intent, dosage summary, reasons', () => {
    const r = byId('MedicationRequest', '002eb5b8-2964-effd-3b09-f132017dae04');
    r.requester = { reference: 'Practitioner/pr-7' };
    const m = toClinical(row(r)) as MedicationRecord;
    expect(m.kind).toBe('REQUEST');
    expect(m.medication?.codings[0]?.code).toBe('314076');
    expect(m.intent).toBe('order');
    expect(m.authoredOn).toBe('1989-05-27T23:58:16-04:00');
    expect(m.dosageText).toEqual(['1, 1 time per 1 day']);
    expect(m.reasons).toEqual([{ text: 'Essential hypertension (disorder)', codings: [] }]);
    expect(m.requesterId).toBe('pr-7');
    expect(m.encounterId).toBe('86d672c8-3119-04be-9d14-73c7cfb4a6e6');
  });
});

describe('hand-made resources of types Synthea does not export', () => {
  const bloodPressure = {
    resourceType: 'Observation',
    id: 'obs-bp',
    meta: {
      security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'PSY' }],
    },
    status: 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/observation-category',
            code: 'vital-signs',
          },
        ],
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }], text: 'Blood pressure' },
    subject: { reference: 'Patient/p1' },
    encounter: { reference: 'Encounter/e1' },
    effectiveDateTime: '2024-04-30T09:00:00Z',
    component: [
      {
        code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
        valueQuantity: {
          value: 142,
          unit: 'mmHg',
          system: 'http://unitsofmeasure.org',
          code: 'mm[Hg]',
        },
        interpretation: [{ coding: [{ code: 'H' }] }],
      },
      {
        code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
        valueQuantity: {
          value: 91,
          unit: 'mmHg',
          system: 'http://unitsofmeasure.org',
          code: 'mm[Hg]',
        },
      },
    ],
  };

  it('Observation: a blood-pressure panel with components, labels merged', () => {
    const o = toClinical(row(bloodPressure, { labels: ['PSY', 'ETH'] })) as Observation;
    expect(o.categories[0]?.codings[0]?.code).toBe('vital-signs');
    expect(o.effective).toEqual({ start: '2024-04-30T09:00:00Z', end: '2024-04-30T09:00:00Z' });
    expect(o.value).toBeNull();
    expect(o.components.map((c) => c.value?.quantity?.value)).toEqual([142, 91]);
    expect(o.components[0]?.interpretations[0]?.codings[0]?.code).toBe('H');
    expect(o.encounterId).toBe('e1');
    expect(o.securityLabels.map((c) => c.code)).toEqual(['PSY', 'ETH']);
    expect(o.fhir.meta).toMatchObject({ versionId: '3', lastUpdated: '2024-05-01T10:00:00.000Z' });
    expect(o.fhir.id).toBe('obs-bp');
  });

  it('Observation values: false, 0 and coded values are values', () => {
    const base = { resourceType: 'Observation', code: { text: 'x' } };
    const value = (extra: Json) => (toClinical(row({ ...base, ...extra })) as Observation).value;
    expect(value({ valueBoolean: false })?.boolean).toBe(false);
    expect(value({ valueInteger: 0 })?.integer).toBe(0);
    expect(value({ valueString: 'positive' })?.string).toBe('positive');
    expect(value({ valueCodeableConcept: { text: 'Negative' } })?.codeableConcept?.text).toBe(
      'Negative',
    );
    expect(value({ valueRange: { low: { value: 1 } } })?.range?.low?.value).toBe(1);
    expect(value({ valueRatio: { numerator: { value: 1 } } })).toBeNull();
  });

  it('DiagnosticReport: resolved result ids only', () => {
    const d = toClinical(
      row({
        resourceType: 'DiagnosticReport',
        status: 'final',
        category: [{ coding: [{ code: 'LAB' }] }],
        code: { coding: [{ system: 'http://loinc.org', code: '24323-8' }], text: 'CMP' },
        effectivePeriod: { start: '2024-04-01' },
        issued: '2024-04-02T08:00:00Z',
        result: [
          { reference: 'Observation/o1' },
          { reference: 'urn:uuid:7d3c' },
          { reference: 'Observation/o2/_history/2' },
        ],
        conclusion: 'Normal',
      }),
    ) as DiagnosticReport;
    expect(d.resultIds).toEqual(['o1', 'o2']);
    expect(d.effective).toEqual({ start: '2024-04-01', end: null });
    expect(d).toMatchObject({ issued: '2024-04-02T08:00:00Z', conclusion: 'Normal' });
  });

  it('CarePlan: intent, period, activities', () => {
    const c = toClinical(
      row({
        resourceType: 'CarePlan',
        status: 'active',
        intent: 'plan',
        category: [{ coding: [{ system: 'http://snomed.info/sct', code: '698360004' }] }],
        period: { start: '2019' },
        title: 'Diabetes plan',
        activity: [
          { detail: { code: { text: 'Diabetic diet' }, status: 'in-progress' } },
          { reference: { reference: 'ServiceRequest/s1' } },
        ],
      }),
    ) as CarePlan;
    expect(c.intent).toBe('plan');
    expect(c.period).toEqual({ start: '2019', end: null });
    expect(c.activities).toEqual([
      { code: { text: 'Diabetic diet', codings: [] }, status: 'in-progress', description: null },
    ]);
  });

  it('MedicationStatement: kind, effective, dosage text, informant, context', () => {
    const m = toClinical(
      row({
        resourceType: 'MedicationStatement',
        status: 'active',
        medicationReference: { reference: 'Medication/m1', display: 'Metformin 500 mg' },
        subject: { reference: 'Patient/p1' },
        context: { reference: 'Encounter/e9' },
        effectiveDateTime: '2023-02',
        informationSource: { reference: 'Practitioner/pr-3' },
        reasonCode: [{ text: 'Diabetes' }],
        dosage: [{ text: 'One tablet twice daily' }, {}],
      }),
    ) as MedicationRecord;
    expect(m.kind).toBe('STATEMENT');
    expect(m.medication).toEqual({ text: 'Metformin 500 mg', codings: [] });
    expect(m.effective).toEqual({ start: '2023-02', end: '2023-02' });
    expect(m.dosageText).toEqual(['One tablet twice daily']);
    expect(m.requesterId).toBe('pr-3');
    expect(m.encounterId).toBe('e9');
    expect(m.intent).toBeNull();
  });
});
