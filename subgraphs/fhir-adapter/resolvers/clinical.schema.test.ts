import type { FhirResource } from '../store/resource-writes.js';
import { validate } from 'class-validator';
import { createRequire } from 'node:module';
import type * as GraphQL from 'graphql';
import { Arg, buildSchema, Query, Resolver } from 'type-graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  RecordAllergyInput,
  RecordConditionInput,
  RecordVitalSignsInput,
} from './authoring.inputs.js';
import { ClinicalFilter, TokenInput } from './clinical.inputs.js';
import { toClinical } from './clinical.mapper.js';
import type { ClinicalType } from './clinical-row.js';
import { CLINICAL_OBJECT_TYPES, ClinicalResource } from './clinical.types.js';

const RESOURCES: Record<string, Record<string, unknown>> = {
  e1: {
    resourceType: 'Encounter',
    status: 'finished',
    class: { code: 'AMB' },
    participant: [{ individual: { reference: 'Practitioner/pr-1' } }],
  },
  o1: {
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'Heart rate' },
    valueQuantity: { value: 72, unit: '/min' },
  },
  m1: {
    resourceType: 'MedicationStatement',
    status: 'active',
    medicationCodeableConcept: { text: 'Aspirin' },
  },
};

@Resolver()
class DummyResolver {
  @Query(() => ClinicalResource, { nullable: true, description: 'A record by id.' })
  record(@Arg('id', () => String) id: string): ClinicalResource | null {
    const resource = RESOURCES[id];
    if (!resource) return null;
    return toClinical({
      id,
      type: resource.resourceType as ClinicalType,
      patientId: 'p1',
      version: 1,
      lastUpdated: new Date('2024-01-01T00:00:00Z'),
      status: resource.status as string,
      labels: ['ETH'],
      resource: resource as FhirResource,
    });
  }

  @Query(() => Boolean, { description: 'Takes every input, so they are in the schema.' })
  inputs(
    @Arg('filter', () => ClinicalFilter, { nullable: true }) _f?: ClinicalFilter,
    @Arg('allergy', () => RecordAllergyInput, { nullable: true }) _a?: RecordAllergyInput,
    @Arg('condition', () => RecordConditionInput, { nullable: true }) _c?: RecordConditionInput,
    @Arg('vitals', () => RecordVitalSignsInput, { nullable: true }) _v?: RecordVitalSignsInput,
  ): boolean {
    return true;
  }
}

// type-graphql builds with the CommonJS graphql; its ESM twin would reject those types as from another realm.
const { graphql, isInputObjectType, isInterfaceType, isObjectType } = createRequire(
  import.meta.url,
)('graphql') as typeof GraphQL;

let schema: GraphQL.GraphQLSchema;

beforeAll(async () => {
  schema = await buildSchema({
    resolvers: [DummyResolver],
    orphanedTypes: [...CLINICAL_OBJECT_TYPES],
    validate: false,
  });
});

describe('the clinical GraphQL types', () => {
  it('build, and every clinical type implements ClinicalResource', () => {
    const iface = schema.getType('ClinicalResource');
    expect(isInterfaceType(iface)).toBe(true);
    const implementations = schema.getPossibleTypes(iface as never).map((t) => t.name);
    expect(implementations.sort()).toEqual(CLINICAL_OBJECT_TYPES.map((t) => t.name).sort());
    const fieldType = (type: string, field: string) =>
      String((schema.getType(type) as GraphQL.GraphQLObjectType).getFields()[field]?.type);
    expect(fieldType('Encounter', 'lastUpdated')).toBe('DateTimeISO!');
    expect(fieldType('Encounter', 'fhir')).toBe('JSONObject!');
    expect(fieldType('MedicationRecord', 'kind')).toBe('MedicationRecordKind!');
  });

  it('describe every type, field and input field', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (
        type.name.startsWith('__') ||
        ['Query', 'String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)
      )
        continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const f of Object.values(type.getFields())) {
          if (!f.description) missing.push(`${type.name}.${f.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('resolve the concrete type of plain mapped objects', async () => {
    const result = await graphql({
      schema,
      source: /* GraphQL */ `
        query ($id: String!) {
          record(id: $id) {
            __typename
            id
            version
            lastUpdated
            securityLabels {
              code
            }
            ... on Encounter {
              class {
                code
              }
              practitionerId
            }
            ... on Observation {
              value {
                quantity {
                  value
                  unit
                }
              }
            }
            ... on MedicationRecord {
              kind
              medication {
                text
              }
            }
          }
        }
      `,
      variableValues: { id: 'e1' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.record).toEqual({
      __typename: 'Encounter',
      id: 'e1',
      version: 1,
      lastUpdated: '2024-01-01T00:00:00.000Z',
      securityLabels: [{ code: 'ETH' }],
      class: { code: 'AMB' },
      practitionerId: 'pr-1',
    });
    const obs = await graphql({
      schema,
      source:
        '{ record(id: "o1") { __typename ... on Observation { value { quantity { value } } } } }',
    });
    expect(obs.data?.record).toEqual({
      __typename: 'Observation',
      value: { quantity: { value: 72 } },
    });
    const med = await graphql({
      schema,
      source: '{ record(id: "m1") { __typename ... on MedicationRecord { kind fhir } } }',
    });
    expect(med.errors).toBeUndefined();
    expect(med.data?.record).toMatchObject({ __typename: 'MedicationRecord', kind: 'STATEMENT' });
  });
});

/** The class-validator errors of an input, as `property: constraint` strings (nested paths dotted). */
async function problems(input: object): Promise<string[]> {
  const flat = (errors: Awaited<ReturnType<typeof validate>>, prefix = ''): string[] =>
    errors.flatMap((e) => [
      ...Object.keys(e.constraints ?? {}).map((c) => `${prefix}${e.property}: ${c}`),
      ...flat(e.children ?? [], `${prefix}${e.property}.`),
    ]);
  return flat(await validate(input, { forbidUnknownValues: false }));
}

function token(code: string, system?: string): TokenInput {
  return Object.assign(new TokenInput(), { code, system });
}

describe('input validation', () => {
  it('vital signs: ranges, at least one, systolic with diastolic', async () => {
    const vitals = (v: Partial<RecordVitalSignsInput>) =>
      Object.assign(new RecordVitalSignsInput(), {
        effective: new Date(Date.now() - 60_000),
        ...v,
      });
    expect(await problems(vitals({ heartRate: 72, systolic: 120, diastolic: 80 }))).toEqual([]);
    expect(await problems(vitals({}))).toEqual(['effective: isVitalSignSet']);
    expect(await problems(vitals({ systolic: 120 }))).toEqual(['effective: isVitalSignSet']);
    expect(await problems(vitals({ systolic: 80, diastolic: 120 }))).toEqual([
      'effective: isVitalSignSet',
    ]);
    expect(await problems(vitals({ heartRate: 400, bodyTemperature: 20 }))).toEqual([
      'heartRate: max',
      'bodyTemperature: min',
    ]);
    expect(
      await problems(vitals({ heartRate: 60, effective: new Date(Date.now() + 3_600_000) })),
    ).toEqual(['effective: isNotFuture']);
  });

  it('allergy: nested tokens, FHIR dates, note length', async () => {
    const allergy = (v: Partial<RecordAllergyInput>) =>
      Object.assign(new RecordAllergyInput(), { code: token('227493005'), ...v });
    expect(await problems(allergy({ onset: '2019-04' }))).toEqual([]);
    expect(await problems(allergy({ onset: '2019-02-30' }))).toEqual(['onset: isFhirDateTime']);
    expect(await problems(allergy({ onset: '2999' }))).toEqual(['onset: isFhirDateTime']);
    expect(await problems(allergy({ onset: '2019-04-12T09:30:00' }))).toEqual([
      'onset: isFhirDateTime',
    ]);
    expect(await problems(allergy({ code: token(' x') }))).toEqual(['code.code: matches']);
    expect(await problems(allergy({ note: 'x'.repeat(2001) }))).toEqual(['note: isLength']);
  });

  it('condition: code system, abatement with an active status', async () => {
    const condition = (v: Partial<RecordConditionInput>) =>
      Object.assign(new RecordConditionInput(), { code: token('E11.9'), ...v });
    expect(await problems(condition({ abatement: '2020' }))).toEqual([]);
    expect(await problems(condition({ code: token('E11.9', 'http://loinc.org') }))).toEqual([
      'code: isCodeSystemIn',
    ]);
    expect(
      await problems(condition({ abatement: '2020', clinicalStatus: 'active' as never })),
    ).toEqual(['abatement: isAbatementAllowed']);
  });

  it('filter: status list size, from before to', async () => {
    const filter = (v: Partial<ClinicalFilter>) => Object.assign(new ClinicalFilter(), v);
    expect(
      await problems(filter({ status: ['active'], from: new Date(1), to: new Date(2) })),
    ).toEqual([]);
    expect(await problems(filter({ status: Array(11).fill('a') as string[] }))).toEqual([
      'status: arrayMaxSize',
    ]);
    expect(await problems(filter({ from: new Date(2), to: new Date(1) }))).toEqual([
      'to: isNotBeforeFrom',
    ]);
  });
});
