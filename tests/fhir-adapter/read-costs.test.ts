import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, untilKnown, type TestStack } from '../support/stack.js';
import { statementsOf } from '../support/statements.js';

/**
 * The clinical fields of 50 patients cost as many SQL statements as those of
 * 1: every list of every patient in a response is read in one statement per
 * kind (subgraphs/fhir-adapter/loaders.ts), decided in one round and audited
 * in one INSERT, counted from the adapter's own `carefed_db_statements_total`.
 */
let t: TestStack;
let clinician: string;
/** Patients on the demo clinician's care team, each with an allergy, a condition and vital signs. */
const created: string[] = [];
const SUBGRAPHS = ['fhir-adapter'] as const;
const LISTS = ['conditions', 'allergies', 'observations', 'encounters'] as const;

const NODES = /* GraphQL */ `
  edges {
    node {
      id
      version
      fhir
    }
  }
`;
const CLINICAL_TYPES = ['Condition', 'AllergyIntolerance', 'Observation', 'Encounter'];
const CLINICAL = LISTS.map((l) => `${l}(first: 10) { ${NODES} }`).join('\n');

async function ok<T>(token: string, query: string, variables: object = {}): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  expect(r.errors).toBeUndefined();
  return r.data!;
}

/** Runs `f` over `items`, ten at a time. */
async function inTens<T>(items: readonly T[], f: (item: T, i: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += 10)
    await Promise.all(items.slice(i, i + 10).map((item, j) => f(item, i + j)));
}

beforeAll(async () => {
  t = await startTestStack('fhir-read-costs', {
    AUDIT_HEAD_INTERVAL: '3600',
    ACCESS_FACTS_HEARTBEAT_MS: '60000',
  });
  const admin = await t.token('admin');
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  await inTens(Array.from({ length: 50 }), async (_, i) => {
    const { createPatient } = await ok<{ createPatient: { id: string } }>(
      admin,
      'mutation ($i: CreatePatientInput!) { createPatient(input: $i) { id } }',
      {
        i: {
          mrn: `FHIR-COST-${i}`,
          name: { family: 'Cost', given: [`P${i}`] },
          birthDate: '1980-05-05',
          gender: 'female',
        },
      },
    );
    created.push(createPatient.id);
    await ok(
      admin,
      'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary-care") { id } }',
      { p: createPatient.id, pr: t.demo.practitionerId },
    );
  });
  await untilKnown(t, created);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [row] = await t.sql<{ n: string }>(
      `SELECT (SELECT count(*) FROM fhir.patient_projection WHERE id = ANY($1::uuid[]))
            + (SELECT count(*) FROM fhir.care_team_projection
                WHERE patient_id = ANY($1::uuid[]) AND until IS NULL) n`,
      [created],
    );
    if (Number(row!.n) === 100) break;
    if (Date.now() > deadline) throw new Error('the FHIR adapter never learnt of the patients');
    await new Promise((r) => setTimeout(r, 100));
  }
  await inTens(created, async (p, i) => {
    await ok(
      clinician,
      `mutation ($p: ID!, $a: RecordAllergyInput!, $c: RecordConditionInput!, $v: RecordVitalSignsInput!) {
        recordAllergy(patientId: $p, input: $a) { id }
        recordCondition(patientId: $p, input: $c) { id }
        recordVitalSigns(patientId: $p, input: $v) { id }
      }`,
      {
        p,
        a: { code: { code: '91936005' }, display: 'Allergy to penicillin' },
        c: { code: { code: 'I10' }, display: 'Essential hypertension', onset: '2015-04' },
        v: {
          effective: '2026-01-15T09:30:00Z',
          heartRate: 60 + (i % 30),
          systolic: 120,
          diastolic: 80,
        },
      },
    );
  });
}, 180_000);
afterAll(() => t?.stop());

/** One request's statements in the adapter, and the audit rows it appended. */
async function costOf<T>(query: string, variables: object = {}) {
  const audits = async () =>
    Number(
      (
        await t.sql<{ n: string }>(
          `SELECT count(*) n FROM audit.entry WHERE payload::jsonb ->> 'resourceType' = ANY($1)`,
          [CLINICAL_TYPES],
        )
      )[0]!.n,
    );
  let appended = 0;
  const { result, statements } = await statementsOf(t, SUBGRAPHS, async () => {
    const before = await audits();
    const r = await t.gql<T>(clinician, query, variables);
    appended = (await audits()) - before;
    return r;
  });
  expect(result.errors).toBeUndefined();
  return { data: result.data!, statements: statements['fhir-adapter']!, audits: appended };
}

type Lists = Record<(typeof LISTS)[number], { edges: { node: { id: string } }[] }>;
const sizes = (p: Lists) => LISTS.map((l) => p[l].edges.length);

describe('the SQL the clinical record costs', () => {
  it('the clinical fields of 50 patients cost as many SQL statements as of 1', async () => {
    const one = await costOf<{ patient: Lists & { id: string } }>(
      `query ($id: ID!) { patient(id: $id) { id ${CLINICAL} } }`,
      { id: created[0] },
    );
    // An allergy, a condition, heart rate and a blood-pressure panel, no encounter.
    expect(sizes(one.data.patient)).toEqual([1, 1, 2, 0]);

    const fifty = await costOf<{
      patients: { edges: { node: Lists & { id: string } }[] };
    }>(`{ patients(first: 50) { edges { node { id ${CLINICAL} } } } }`);
    const nodes = fifty.data.patients.edges.map((e) => e.node);
    expect(nodes).toHaveLength(50);
    const ours = nodes.filter((n) => created.includes(n.id));
    expect(ours.length).toBeGreaterThan(40);
    for (const n of ours) expect(sizes(n)).toEqual([1, 1, 2, 0]);

    console.log(
      'fhir-adapter statements: 1 patient',
      one.statements,
      '50 patients',
      fifty.statements,
    );
    // One list search audited per patient and list.
    expect(one.audits).toBe(LISTS.length);
    expect(fifty.audits).toBe(50 * LISTS.length);
    expect(fifty.statements).toBe(one.statements);
    // Per list: its rows with their access facts, and one audit INSERT.
    expect(one.statements).toBeLessThanOrEqual(2 * LISTS.length);
  });
});
