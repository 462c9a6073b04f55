import { describe, expect, it } from 'vitest';
import {
  allergyResource,
  conditionResource,
  enteredInError,
  ICD10CM,
  LOINC,
  SNOMED,
  UCUM,
  vitalSignsResources,
  type FhirResource,
} from './authoring.js';

const AT = new Date('2024-05-01T10:00:00Z');

describe('allergyResource', () => {
  it('writes an R4 AllergyIntolerance with standard statuses and SNOMED by default', () => {
    const r = allergyResource(
      'p1',
      {
        code: { code: '227493005' },
        display: 'Cashew nuts',
        type: 'allergy',
        categories: ['food', 'food'],
        criticality: 'high',
        reactions: [
          { manifestation: { code: '39579001' }, display: 'Anaphylaxis', severity: 'severe' },
        ],
        onset: '2019-04',
        note: 'Carries an auto-injector',
      },
      'pr-1',
      AT,
    );
    expect(r).toEqual({
      resourceType: 'AllergyIntolerance',
      clinicalStatus: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
            code: 'active',
            display: 'Active',
          },
        ],
      },
      verificationStatus: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
            code: 'confirmed',
            display: 'Confirmed',
          },
        ],
      },
      type: 'allergy',
      category: ['food'],
      criticality: 'high',
      code: {
        coding: [{ system: SNOMED, code: '227493005', display: 'Cashew nuts' }],
        text: 'Cashew nuts',
      },
      patient: { reference: 'Patient/p1' },
      onsetDateTime: '2019-04',
      recordedDate: '2024-05-01T10:00:00.000Z',
      recorder: { reference: 'Practitioner/pr-1' },
      note: [{ text: 'Carries an auto-injector' }],
      reaction: [
        {
          manifestation: [
            {
              coding: [{ system: SNOMED, code: '39579001', display: 'Anaphylaxis' }],
              text: 'Anaphylaxis',
            },
          ],
          severity: 'severe',
        },
      ],
    });
  });

  it('leaves out what was not given, and keeps a named system', () => {
    const r = allergyResource(
      'p1',
      {
        code: { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1191' },
        clinicalStatus: 'resolved',
        verificationStatus: 'unconfirmed',
        categories: null,
        reactions: [],
      },
      undefined,
      AT,
    );
    expect(Object.keys(r).sort()).toEqual(
      [
        'resourceType',
        'clinicalStatus',
        'verificationStatus',
        'code',
        'patient',
        'recordedDate',
      ].sort(),
    );
    expect(r.code).toEqual({
      coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1191' }],
    });
    expect(JSON.stringify(r.clinicalStatus)).toContain('"resolved"');
    expect(JSON.stringify(r.verificationStatus)).toContain('"unconfirmed"');
  });
});

describe('conditionResource', () => {
  it('writes an R4 Condition: category system, ICD-10-CM for non-numeric codes, encounter', () => {
    const r = conditionResource(
      'p1',
      {
        code: { code: 'E11.9' },
        display: 'Type 2 diabetes',
        category: 'encounter-diagnosis',
        encounterId: 'e1',
        onset: '2018',
      },
      'pr-1',
      AT,
    );
    expect(r).toMatchObject({
      resourceType: 'Condition',
      clinicalStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' },
        ],
      },
      verificationStatus: {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
            code: 'confirmed',
          },
        ],
      },
      category: [
        {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/condition-category',
              code: 'encounter-diagnosis',
              display: 'Encounter Diagnosis',
            },
          ],
        },
      ],
      code: {
        coding: [{ system: ICD10CM, code: 'E11.9', display: 'Type 2 diabetes' }],
        text: 'Type 2 diabetes',
      },
      subject: { reference: 'Patient/p1' },
      encounter: { reference: 'Encounter/e1' },
      onsetDateTime: '2018',
      recordedDate: '2024-05-01T10:00:00.000Z',
      recorder: { reference: 'Practitioner/pr-1' },
    });
    expect(r).not.toHaveProperty('abatementDateTime');
  });

  it('defaults to a problem-list item, SNOMED for numeric codes, resolved when abated', () => {
    const r = conditionResource(
      'p1',
      { code: { code: '44054006' }, abatement: '2023-01-05' },
      undefined,
      AT,
    );
    expect((r.category as { coding: { code: string }[] }[])[0]?.coding[0]?.code).toBe(
      'problem-list-item',
    );
    expect((r.code as { coding: { system: string }[] }).coding[0]?.system).toBe(SNOMED);
    expect(r.abatementDateTime).toBe('2023-01-05');
    expect(JSON.stringify(r.clinicalStatus)).toContain('"resolved"');
  });
});

describe('vitalSignsResources', () => {
  const obs = vitalSignsResources(
    'p1',
    {
      effective: AT,
      encounterId: 'e1',
      heartRate: 72,
      systolic: 128,
      diastolic: 84,
      respiratoryRate: 16,
      bodyTemperature: 37.2,
      oxygenSaturation: 97,
      bodyWeight: 70.5,
      bodyHeight: 172,
    },
    'pr-1',
  );
  const byCode = (code: string) =>
    obs.find((o) => (o.code as { coding: { code: string }[] }).coding[0]?.code === code);

  it('writes one final vital-signs Observation per vital, each with the profile’s required elements', () => {
    expect(obs).toHaveLength(7);
    for (const o of obs) {
      expect(o).toMatchObject({
        resourceType: 'Observation',
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
        subject: { reference: 'Patient/p1' },
        encounter: { reference: 'Encounter/e1' },
        effectiveDateTime: '2024-05-01T10:00:00.000Z',
        performer: [{ reference: 'Practitioner/pr-1' }],
      });
      expect(
        (o.code as { coding: { system: string }[] }).coding.every((c) => c.system === LOINC),
      ).toBe(true);
      expect(o.valueQuantity ?? o.component).toBeDefined();
    }
  });

  it.each([
    ['8867-4', 72, '/min'],
    ['9279-1', 16, '/min'],
    ['8310-5', 37.2, 'Cel'],
    ['59408-5', 97, '%'],
    ['29463-7', 70.5, 'kg'],
    ['8302-2', 172, 'cm'],
  ])('%s carries %s %s in UCUM', (code, value, unit) => {
    expect(byCode(code)?.valueQuantity).toMatchObject({ value, system: UCUM, code: unit });
  });

  it('codes SpO2 as both 59408-5 and 2708-6', () => {
    const codes = (byCode('59408-5')?.code as { coding: { code: string }[] }).coding.map(
      (c) => c.code,
    );
    expect(codes).toEqual(['59408-5', '2708-6']);
  });

  it('writes blood pressure as a panel with systolic and diastolic components and no value', () => {
    const bp = byCode('85354-9')!;
    expect(bp.valueQuantity).toBeUndefined();
    expect(bp.component).toEqual([
      {
        code: {
          coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }],
          text: 'Systolic blood pressure',
        },
        valueQuantity: { value: 128, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
      },
      {
        code: {
          coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }],
          text: 'Diastolic blood pressure',
        },
        valueQuantity: { value: 84, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' },
      },
    ]);
  });

  it('writes only what was given, without encounter or performer when absent', () => {
    const only = vitalSignsResources('p1', { effective: AT, bodyWeight: 3.4, systolic: 120 });
    expect(only).toHaveLength(1);
    expect(only[0]).not.toHaveProperty('encounter');
    expect(only[0]).not.toHaveProperty('performer');
  });
});

describe('enteredInError', () => {
  it('marks Condition and AllergyIntolerance by verificationStatus and drops clinicalStatus', () => {
    const condition = conditionResource('p1', { code: { code: 'E11.9' } }, undefined, AT);
    const allergy = allergyResource('p1', { code: { code: '227493005' } }, undefined, AT);
    for (const [r, system] of [
      [condition, 'http://terminology.hl7.org/CodeSystem/condition-ver-status'],
      [allergy, 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification'],
    ] as const) {
      const out = enteredInError(r);
      expect(out).not.toHaveProperty('clinicalStatus');
      expect(out.verificationStatus).toEqual({
        coding: [{ system, code: 'entered-in-error', display: 'Entered in Error' }],
      });
      expect(r).toHaveProperty('clinicalStatus');
    }
  });

  it.each([
    'Observation',
    'Encounter',
    'Immunization',
    'Procedure',
    'DiagnosticReport',
    'DocumentReference',
    'CarePlan',
    'Device',
    'MedicationRequest',
    'MedicationStatement',
  ])('marks %s by status', (resourceType) => {
    const r: FhirResource = { resourceType, status: 'final', code: { text: 'x' } };
    const out = enteredInError(r);
    expect(out).toEqual({ resourceType, status: 'entered-in-error', code: { text: 'x' } });
    expect(r.status).toBe('final');
  });
});
