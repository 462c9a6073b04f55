import { describe, expect, it } from 'vitest';
import {
  CLINICAL_TYPES,
  clinicalFacts,
  isClinicalType,
  type ClinicalType,
} from './clinical-kinds.js';
import { readSynthea } from './testing.js';

type Resource = { resourceType: ClinicalType } & Record<string, unknown>;

/** The clinical types in the Synthea export (Observation, DiagnosticReport, CarePlan, MedicationStatement are not). */
const SYNTHEA_TYPES = [
  'AllergyIntolerance',
  'Condition',
  'Device',
  'DocumentReference',
  'Encounter',
  'Immunization',
  'MedicationRequest',
  'Procedure',
] as const satisfies readonly ClinicalType[];

const NPI = 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|';
const parses = (d: string | null) => d === null || !Number.isNaN(Date.parse(d));

describe('clinical kinds', () => {
  it('knows its twelve types and nothing else', () => {
    expect(CLINICAL_TYPES).toHaveLength(12);
    expect(isClinicalType('Observation')).toBe(true);
    expect(isClinicalType('Patient')).toBe(false);
    expect(isClinicalType('observation')).toBe(false);
  });

  describe.each(SYNTHEA_TYPES)('every Synthea %s', (type) => {
    const all = readSynthea<Resource>(type);
    const facts = all.map(clinicalFacts);

    it('names its patient, a status and parseable dates', () => {
      expect(all.length).toBeGreaterThan(0);
      for (const f of facts) {
        expect(f.type).toBe(type);
        expect(f.patientRef).toMatch(/^Patient\/[0-9a-f-]{36}$/);
        expect(f.status).toEqual(expect.any(String));
        expect(parses(f.start) && parses(f.end)).toBe(true);
        if (f.start && f.end) expect(Date.parse(f.end)).toBeGreaterThanOrEqual(Date.parse(f.start));
        // Device dates are the object's (manufacture, expiry), not the patient's.
        expect(f.start === null).toBe(type === 'Device');
      }
    });

    it('has its main codes and keeps references verbatim', () => {
      for (const f of facts) {
        expect(f.codes.length).toBeGreaterThan(0);
        expect(f.codes.every((c) => c.system && c.code)).toBe(true);
        for (const p of f.refs.practitioners) expect(p.startsWith(NPI)).toBe(true);
        for (const l of f.refs.locations)
          expect(l).toMatch(
            /^Location\?identifier=https:\/\/github.com\/synthetichealth\/synthea\|/,
          );
        for (const o of f.refs.organizations) expect(o).toMatch(/^Organization\?identifier=/);
        if (type !== 'Encounter' && type !== 'Device' && type !== 'AllergyIntolerance') {
          expect(f.refs.encounter).toMatch(/^Encounter\/[0-9a-f-]{36}$/);
        }
      }
    });
  });

  it('reads a Synthea encounter whole', () => {
    const enc = readSynthea<Resource>('Encounter').find(
      (e) => e.id === '00c7f717-4030-5582-2ed8-888ad2bc878e',
    )!;
    expect(clinicalFacts(enc)).toEqual({
      type: 'Encounter',
      patientRef: 'Patient/79a66c97-6131-3213-f3c9-4606946ab056',
      status: 'finished',
      categories: [
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: null },
        {
          system: 'http://snomed.info/sct',
          code: '185347001',
          display: 'Encounter for problem (procedure)',
        },
      ],
      codes: [
        {
          system: 'http://snomed.info/sct',
          code: '185347001',
          display: 'Encounter for problem (procedure)',
        },
        {
          system: 'http://snomed.info/sct',
          code: '46177005',
          display: 'End-stage renal disease (disorder)',
        },
      ],
      start: '1989-10-04T02:25:16-04:00',
      end: '1989-10-04T06:20:16-04:00',
      refs: {
        encounter: null,
        practitioners: [`${NPI}9999974493`],
        locations: [
          'Location?identifier=https://github.com/synthetichealth/synthea|3b23bdf7-5bd6-30bf-85a9-a37d7d74938a',
        ],
        organizations: [
          'Organization?identifier=https://github.com/synthetichealth/synthea|a261e1fc-9361-3633-a2c4-8569a04b818d',
        ],
        appointments: [],
      },
    });
  });

  it('reads Synthea shapes: allergy categories as plain codes, note context before date, condition abatement', () => {
    const allergy = clinicalFacts(readSynthea<Resource>('AllergyIntolerance')[0]!);
    expect(allergy.categories).toEqual([{ system: null, code: 'medication', display: null }]);
    expect(allergy.start).toBe('1996-12-27T04:21:52-05:00');

    const note = clinicalFacts(readSynthea<Resource>('DocumentReference')[0]!);
    expect(note).toMatchObject({
      status: 'superseded',
      start: '1987-11-19T00:22:16-05:00',
      end: '1987-12-01T03:03:16-05:00',
      refs: {
        encounter: 'Encounter/63f23b73-1623-966a-ea00-876590af06a5',
        practitioners: [`${NPI}9999974592`],
      },
    });
    expect(note.categories.map((c) => c.code)).toEqual(['34117-2', '51847-2', 'clinical-note']);
    expect(note.refs.organizations).toHaveLength(1);

    const resolved = readSynthea<Resource>('Condition')
      .map(clinicalFacts)
      .filter((f) => f.status === 'resolved');
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.every((f) => f.end !== null)).toBe(true);
  });

  it('reads an Observation with components, performers and an effective period', () => {
    const f = clinicalFacts({
      resourceType: 'Observation',
      status: 'final',
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/observation-category',
              code: 'laboratory',
            },
          ],
        },
      ],
      code: {
        coding: [
          { system: 'http://loinc.org', code: '75622-1', display: 'HIV 1+2 Ab+HIV1 p24 Ag' },
        ],
      },
      subject: { reference: 'urn:uuid:5c2b7d0e-0000-4000-8000-000000000001' },
      encounter: { reference: 'urn:uuid:5c2b7d0e-0000-4000-8000-000000000002' },
      effectivePeriod: { start: '2024-03-01T10:00:00Z', end: '2024-03-01T10:30:00Z' },
      issued: '2024-03-02T08:00:00Z',
      performer: [
        { reference: 'Practitioner/p1' },
        { reference: 'Organization/lab' },
        { reference: 'Patient/self' },
      ],
      component: [{ code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] } }],
    });
    expect(f).toEqual({
      type: 'Observation',
      patientRef: 'urn:uuid:5c2b7d0e-0000-4000-8000-000000000001',
      status: 'final',
      categories: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/observation-category',
          code: 'laboratory',
          display: null,
        },
      ],
      codes: [{ system: 'http://loinc.org', code: '75622-1', display: 'HIV 1+2 Ab+HIV1 p24 Ag' }],
      start: '2024-03-01T10:00:00Z',
      end: '2024-03-01T10:30:00Z',
      refs: {
        encounter: 'urn:uuid:5c2b7d0e-0000-4000-8000-000000000002',
        practitioners: ['Practitioner/p1'],
        locations: [],
        organizations: ['Organization/lab'],
        appointments: [],
      },
    });
    expect(
      clinicalFacts({ resourceType: 'Observation', status: 'final', issued: '2024-03-02' }).start,
    ).toBe('2024-03-02');
  });

  it('reads a DiagnosticReport, a CarePlan and a MedicationStatement', () => {
    const report = clinicalFacts({
      resourceType: 'DiagnosticReport',
      status: 'final',
      category: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] },
      ],
      code: { coding: [{ system: 'http://loinc.org', code: '58410-2', display: 'CBC panel' }] },
      subject: { reference: 'Patient/p' },
      encounter: { reference: 'Encounter/e' },
      effectiveDateTime: '2024-01-05',
      performer: [{ reference: 'PractitionerRole/r' }],
      resultsInterpreter: [{ reference: 'Practitioner/x' }],
    });
    expect(report).toMatchObject({
      status: 'final',
      start: '2024-01-05',
      end: null,
      refs: { encounter: 'Encounter/e', practitioners: ['PractitionerRole/r', 'Practitioner/x'] },
    });
    expect(report.categories.map((c) => c.code)).toEqual(['LAB']);

    const plan = clinicalFacts({
      resourceType: 'CarePlan',
      status: 'active',
      intent: 'plan',
      category: [
        {
          coding: [
            {
              system: 'http://snomed.info/sct',
              code: '736376001',
              display: 'Infectious disease care plan',
            },
          ],
        },
      ],
      subject: { reference: 'Patient/p' },
      period: { start: '2020-02-01' },
      author: { reference: 'Practitioner/a' },
    });
    expect(plan).toMatchObject({ status: 'active', codes: [], start: '2020-02-01', end: null });
    expect(plan.categories.map((c) => c.code)).toEqual(['736376001']);
    expect(plan.refs.practitioners).toEqual(['Practitioner/a']);

    const statement = clinicalFacts({
      resourceType: 'MedicationStatement',
      status: 'active',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '351267' }],
      },
      subject: { reference: 'Patient/p' },
      context: { reference: 'Encounter/e' },
      dateAsserted: '2023-06-01',
    });
    expect(statement).toMatchObject({
      status: 'active',
      start: '2023-06-01',
      end: null,
      refs: { encounter: 'Encounter/e' },
    });
    expect(statement.codes.map((c) => c.code)).toEqual(['351267']);
  });

  it('says entered-in-error over the clinical status, and no patient for a Group subject or none', () => {
    const f = clinicalFacts({
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ code: 'active' }] },
      verificationStatus: { coding: [{ code: 'entered-in-error' }] },
      subject: { reference: 'Group/g' },
      onsetPeriod: { start: '2010' },
      abatementPeriod: { end: '2011' },
    });
    expect(f).toMatchObject({
      status: 'entered-in-error',
      patientRef: null,
      start: '2010',
      end: '2011',
    });
    expect(clinicalFacts({ resourceType: 'Device', status: 'active' })).toMatchObject({
      patientRef: null,
      codes: [],
    });
    expect(
      clinicalFacts({ resourceType: 'Condition', subject: { reference: 'Patient?identifier=x|1' } })
        .patientRef,
    ).toBe('Patient?identifier=x|1');
  });

  it('links an encounter to its appointments and tells an untyped urn reference by its field', () => {
    const f = clinicalFacts({
      resourceType: 'Encounter',
      status: 'planned',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      subject: { reference: 'Patient/p', type: 'Patient' },
      appointment: [{ reference: 'Appointment/a1' }],
      participant: [
        { individual: { reference: 'urn:uuid:1' } },
        { individual: { reference: 'RelatedPerson/r' } },
      ],
      location: [{ location: { reference: 'urn:uuid:2', type: 'Location' } }],
    });
    expect(f.refs).toEqual({
      encounter: null,
      practitioners: ['urn:uuid:1'],
      locations: ['urn:uuid:2'],
      organizations: [],
      appointments: ['Appointment/a1'],
    });
  });
});
