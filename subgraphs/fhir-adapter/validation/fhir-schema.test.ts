import { syntheaDir } from '../domain/testing.js';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { describe, expect, it } from 'vitest';
import { validateResource, warmValidator, type FhirIssue } from './fhir-schema.js';

const SYNTHEA = syntheaDir();

/** The one issue `resource` yields; fails when there is none or more. */
function onlyIssue(resource: unknown): FhirIssue {
  const issues = validateResource(resource);
  expect(issues).toHaveLength(1);
  return issues[0]!;
}

const patientRef = { reference: 'Patient/p1' };
const loinc = { coding: [{ system: 'http://loinc.org', code: '8867-4' }] };

describe('validateResource on Synthea', () => {
  it('accepts every resource in shared/data/synthea', async () => {
    const files = fs.readdirSync(SYNTHEA).filter((f) => f.endsWith('.ndjson'));
    expect(files.length).toBeGreaterThan(0);
    let count = 0;
    const failures: string[] = [];
    for (const file of files) {
      const lines = readline.createInterface({
        input: fs.createReadStream(path.join(SYNTHEA, file)),
        crlfDelay: Infinity,
      });
      for await (const line of lines) {
        if (line.trim() === '') continue;
        count++;
        const resource = JSON.parse(line) as { resourceType: string; id: string };
        const issues = validateResource(resource);
        if (issues.length > 0) {
          failures.push(`${resource.resourceType}/${resource.id}: ${JSON.stringify(issues)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(count).toBe(7160);
  });
});

describe('validateResource on resource types Synthea lacks', () => {
  it.each([
    {
      resourceType: 'Observation',
      status: 'final',
      code: loinc,
      subject: patientRef,
      effectiveDateTime: '2024-03-01T10:00:00+01:00',
      valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
    },
    {
      resourceType: 'DiagnosticReport',
      status: 'final',
      code: loinc,
      subject: patientRef,
      issued: '2024-03-01T10:00:00.000Z',
      result: [{ reference: 'Observation/o1' }],
    },
    {
      resourceType: 'CarePlan',
      status: 'active',
      intent: 'plan',
      subject: patientRef,
      period: { start: '2024-01-01' },
      activity: [{ detail: { status: 'in-progress', code: loinc } }],
    },
    {
      resourceType: 'MedicationStatement',
      status: 'active',
      medicationCodeableConcept: { text: 'aspirin 100 mg' },
      subject: patientRef,
      dosage: [
        { text: 'once daily', timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } },
      ],
    },
  ])('accepts a well-formed $resourceType', (resource) => {
    expect(validateResource(resource)).toEqual([]);
  });
});

describe('validateResource issues', () => {
  it('a wrong type: the path and "must be <type>", not the value', () => {
    const issue = onlyIssue({ resourceType: 'Patient', name: [{ family: 12345678 }] });
    expect(issue).toEqual({
      severity: 'error',
      code: 'structure',
      expression: 'Patient.name[0].family',
      diagnostics: 'must be string',
    });
  });

  it('a number for a code: the schema gives codes an enum and no type, so it is a value issue', () => {
    const issue = onlyIssue({ resourceType: 'Encounter', status: 5, class: { code: 'AMB' } });
    expect(issue).toMatchObject({ code: 'value', expression: 'Encounter.status' });
  });

  it('an unknown property: named, with its path, its value absent', () => {
    const issue = onlyIssue({ resourceType: 'Patient', favouriteColour: 'SECRET-TEAL' });
    expect(issue).toEqual({
      severity: 'error',
      code: 'structure',
      expression: 'Patient.favouriteColour',
      diagnostics: "unknown property 'favouriteColour'",
    });
  });

  it('an unknown property deep inside: Condition.code.coding[0].version2', () => {
    const issue = onlyIssue({
      resourceType: 'Condition',
      subject: patientRef,
      code: { coding: [{ system: 'http://snomed.info/sct', version2: 'SECRET-1' }] },
    });
    expect(issue).toMatchObject({
      code: 'structure',
      expression: 'Condition.code.coding[0].version2',
    });
    expect(issue.diagnostics).toBe("unknown property 'version2'");
  });

  it('a missing required element: Observation without code', () => {
    const issue = onlyIssue({ resourceType: 'Observation', status: 'final', subject: patientRef });
    expect(issue).toEqual({
      severity: 'error',
      code: 'required',
      expression: 'Observation.code',
      diagnostics: "missing required property 'code'",
    });
  });

  it('a missing required primitive passes: the schema never requires primitives (they may come as _status)', () => {
    expect(validateResource({ resourceType: 'Observation', code: loinc })).toEqual([]);
  });

  it('a bad code: lists the allowed codes, not the value', () => {
    const issue = onlyIssue({ resourceType: 'Encounter', status: 'bogus', class: { code: 'AMB' } });
    expect(issue).toMatchObject({ code: 'value', expression: 'Encounter.status' });
    expect(issue.diagnostics).toContain('finished');
    expect(issue.diagnostics).not.toContain('bogus');
  });

  it('a malformed primitive names the FHIR type, not the value', () => {
    const issue = onlyIssue({ resourceType: 'Patient', birthDate: '1970-13-45' });
    expect(issue).toEqual({
      severity: 'error',
      code: 'value',
      expression: 'Patient.birthDate',
      diagnostics: 'must be a valid FHIR date',
    });
  });

  it('validates contained resources by their own type, with their path', () => {
    const issue = onlyIssue({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: patientRef,
      medicationReference: { reference: '#m1' },
      contained: [{ resourceType: 'Medication', id: 'm1', secretNote: 'SECRET-2' }],
    });
    expect(issue).toMatchObject({
      code: 'structure',
      expression: 'MedicationRequest.contained[0].secretNote',
    });
  });

  it('validates Bundle entries by their own type', () => {
    const bundle = (resource: unknown) => ({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource }],
    });
    expect(validateResource(bundle({ resourceType: 'Patient', active: true }))).toEqual([]);
    expect(onlyIssue(bundle({ resourceType: 'Patient', active: 'SECRET-3' }))).toMatchObject({
      code: 'structure',
      expression: 'Bundle.entry[0].resource.active',
      diagnostics: 'must be boolean',
    });
    expect(onlyIssue(bundle({ resourceType: 'Patientx' }))).toMatchObject({
      code: 'not-supported',
      expression: 'Bundle.entry[0].resource.resourceType',
    });
  });

  it('an unknown, missing or non-string resourceType', () => {
    expect(onlyIssue({ resourceType: 'SECRET-TYPE' })).toEqual({
      severity: 'error',
      code: 'not-supported',
      expression: 'Resource.resourceType',
      diagnostics: 'not a FHIR R4 resource type',
    });
    expect(onlyIssue({ resourceType: 'constructor' }).code).toBe('not-supported');
    expect(onlyIssue({ id: 'p1' })).toMatchObject({ code: 'invalid', expression: 'Resource' });
    expect(onlyIssue({ resourceType: 7 })).toMatchObject({
      code: 'invalid',
      expression: 'Resource.resourceType',
    });
  });

  it.each([null, undefined, 'Patient', 42, true, [], [{ resourceType: 'Patient' }]])(
    'a non-object (%j) is one structure issue',
    (input) => {
      expect(onlyIssue(input)).toMatchObject({ code: 'structure', expression: 'Resource' });
    },
  );

  it('never echoes the offending values', () => {
    const secrets = [
      'SECRET-TEAL',
      'SECRET-1',
      'SECRET-2',
      'SECRET-3',
      '12345678',
      '1970-13-45',
      'bogus',
    ];
    const issues = [
      { resourceType: 'Patient', favouriteColour: 'SECRET-TEAL' },
      { resourceType: 'Patient', name: [{ family: 12345678 }] },
      { resourceType: 'Patient', birthDate: '1970-13-45' },
      { resourceType: 'Patient', gender: 'bogus' },
      { resourceType: 'Patient', active: 'SECRET-3' },
      { resourceType: 'Patient', telecom: [{ system: 'SECRET-1' }] },
      { resourceType: 'Patient', id: 'SECRET 2' },
    ].flatMap(validateResource);
    expect(issues).toHaveLength(7);
    const text = JSON.stringify(issues);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('never throws: cycles, deep nesting, huge objects', () => {
    const cyclic: Record<string, unknown> = { resourceType: 'Patient', contained: [] };
    (cyclic.contained as unknown[]).push(cyclic);
    expect(validateResource(cyclic).length).toBe(1);

    const deep: Record<string, unknown> = { resourceType: 'Patient' };
    let node = deep;
    for (let i = 0; i < 100_000; i++) {
      const child = { url: 'http://example.org/x' };
      node.extension = [child];
      node = child;
    }
    expect(onlyIssue(deep).code).toBe('structure');

    const names = Array.from({ length: 50_000 }, (_, i) => ({ family: `F${i}`, given: ['G'] }));
    expect(validateResource({ resourceType: 'Patient', name: names })).toEqual([]);
  });
});

describe('warmValidator', () => {
  it('compiles every type once; later calls cost nothing', () => {
    const first = warmValidator();
    expect(first).toBeGreaterThanOrEqual(0);
    expect(warmValidator()).toBeLessThan(50);
    expect(validateResource({ resourceType: 'Account', status: 'active' })).toEqual([]);
  });
});
