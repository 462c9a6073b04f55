import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientsOnCareTeam } from '../support/patients.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { statementsOf } from '../support/statements.js';

/**
 * Pharmacy's fields over a list of patients are batched: the prescriptions
 * (with their drug and dispenses) and the medication lists of 20 patients
 * cost as many SQL statements as those of 1 (subgraphs/pharmacy/loaders.ts),
 * and `prescribe`'s safety checks are one batched pass whatever the length
 * of the patient's medication list; counted from the pharmacy subgraph's own
 * `carefed_db_statements_total`.
 */
let t: TestStack;
let clinician: string;
const SUBGRAPHS = ['pharmacy'] as const;
const PATIENTS = 20;
const FAMILY = 'Rxbatch';
const BIRTH = '1971-03-04';
/** Patients on the demo clinician's care team, each with two prescriptions, one dispensed once. */
const created: string[] = [];
/** Drugs with no interaction data and a price (nothing blocks them for a fresh patient). */
const plain: string[] = [];

const LISINOPRIL = '314076';
const METFORMIN = '860975';
const FACILITY = (
  JSON.parse(
    fs.readFileSync(path.resolve('data/synthea/Location.000.ndjson'), 'utf8').split('\n')[0]!,
  ) as { id: string }
).id;

async function ok<T>(token: string, query: string, variables: object = {}): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

/** Runs `f` over `items`, ten at a time. */
async function inTens<T>(items: readonly T[], f: (item: T, i: number) => Promise<void>) {
  for (let i = 0; i < items.length; i += 10)
    await Promise.all(items.slice(i, i + 10).map((item, j) => f(item, i + j)));
}

const PRESCRIBE = /* GraphQL */ `
  mutation ($i: PrescribeInput!) {
    prescribe(input: $i) {
      blocked
      prescription {
        id
      }
      alerts {
        code
        blocking
      }
    }
  }
`;
type Prescribed = { prescribe: { blocked: boolean; prescription: { id: string } | null } };
const input = (patientId: string, drugRxcui: string) => ({
  patientId,
  drugRxcui,
  dose: { value: 1, unit: 'tablet' },
  route: 'oral',
  frequency: { times: 1, period: 1, unit: 'd' },
  quantity: 30,
  refills: 1,
  idempotencyKey: `batch-${randomUUID()}`,
});

async function prescribe(patientId: string, drugRxcui: string): Promise<string> {
  const { prescribe: r } = await ok<Prescribed>(clinician, PRESCRIBE, {
    i: input(patientId, drugRxcui),
  });
  expect(r.blocked).toBe(false);
  return r.prescription!.id;
}

/** Registers patients on the demo clinician's care team, known to pharmacy. */
const newPatients = (tags: readonly (number | string)[], family = FAMILY) =>
  patientsOnCareTeam(
    t,
    tags.map((i) => ({ mrn: `RX-BATCH-${i}`, family, given: `B${i}`, birthDate: BIRTH })),
    { schemas: ['pharmacy'] },
  );

beforeAll(async () => {
  // No periodic audit-head signing nor access-fact heartbeat in the middle of a count.
  t = await startTestStack('pharmacy-batching', {
    AUDIT_HEAD_INTERVAL: '3600',
    ACCESS_FACTS_HEARTBEAT_MS: '60000',
  });
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  const pharmacist = await t.token('pharmacist');
  created.push(...(await newPatients(Array.from({ length: PATIENTS }, (_, i) => i))));
  await inTens(created, async (p) => {
    const rx = await prescribe(p, LISINOPRIL);
    await prescribe(p, METFORMIN);
    await ok(
      pharmacist,
      'mutation ($i: DispenseInput!) { dispenseMedication(input: $i) { dispense { id } } }',
      {
        i: {
          prescriptionId: rx,
          facilityId: FACILITY,
          quantity: 1,
          idempotencyKey: `d-${randomUUID()}`,
        },
      },
    );
  });
  // Drugs with no interaction data and no ingredient in common: nothing blocks nor warns.
  const { drugs } = await ok<{
    drugs: {
      edges: {
        node: {
          rxcui: string;
          termType: string;
          interactionCoverage: boolean;
          unitPriceMinor: string | null;
          ingredients: { id: string }[];
        };
      }[];
    };
  }>(
    clinician,
    /* GraphQL */ `
      query {
        drugs(search: "mg", first: 100) {
          edges {
            node {
              rxcui
              termType
              interactionCoverage
              unitPriceMinor
              ingredients {
                id
              }
            }
          }
        }
      }
    `,
  );
  const seen = new Set<string>(['carefed:lisinopril', 'carefed:metformin']);
  for (const { node: d } of drugs.edges) {
    const ids = d.ingredients.map((x) => x.id);
    if (d.termType !== 'SCD' || d.interactionCoverage || d.unitPriceMinor === null) continue;
    if (!ids.length || ids.some((x) => seen.has(x))) continue;
    ids.forEach((x) => seen.add(x));
    plain.push(d.rxcui);
  }
  expect(plain.length).toBeGreaterThan(17);
}, 180_000);
afterAll(() => t?.stop());

/** One request's statements in pharmacy. */
async function costOf<T>(query: string, variables: object, tries = 2) {
  const { result, statements } = await statementsOf(
    t,
    SUBGRAPHS,
    () => t.gql<T>(clinician, query, variables),
    tries,
  );
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return { data: result.data!, statements: statements.pharmacy! };
}

interface RxNode {
  id: string;
  drug: { name: string } | null;
  dispenses: { id: string }[];
}
const PRESCRIPTIONS = /* GraphQL */ `
  query ($n: Int!, $family: String!, $birth: String!) {
    patients(family: $family, birthDate: $birth, first: $n) {
      edges {
        node {
          id
          prescriptions(first: 10) {
            edges {
              node {
                id
                drug {
                  name
                }
                dispenses {
                  id
                }
              }
            }
          }
        }
      }
    }
  }
`;
const MEDICATIONS = /* GraphQL */ `
  query ($n: Int!, $family: String!, $birth: String!) {
    patients(family: $family, birthDate: $birth, first: $n) {
      edges {
        node {
          id
          medications {
            source
            prescription {
              id
              drug {
                name
              }
              dispenses {
                id
              }
            }
          }
        }
      }
    }
  }
`;

/** Each patient's prescriptions: two, with their drugs, one dispensed once. */
function expectTwoPrescriptions(nodes: RxNode[]): void {
  expect(nodes).toHaveLength(2);
  for (const n of nodes) expect(n.drug?.name).toMatch(/lisinopril|metformin/i);
  expect(nodes.map((n) => n.dispenses.length).sort()).toEqual([0, 1]);
}

describe('the SQL pharmacy’s patient fields cost', () => {
  it(`Patient.prescriptions (with drug and dispenses) of ${PATIENTS} patients cost as many statements as of 1`, async () => {
    type Data = {
      patients: { edges: { node: { id: string; prescriptions: { edges: { node: RxNode }[] } } }[] };
    };
    const vars = { family: FAMILY, birth: BIRTH };
    const one = await costOf<Data>(PRESCRIPTIONS, { ...vars, n: 1 });
    const many = await costOf<Data>(PRESCRIPTIONS, { ...vars, n: PATIENTS });
    const nodes = (d: Data) => d.patients.edges.map((e) => e.node);
    expect(nodes(one.data)).toHaveLength(1);
    expect(nodes(many.data)).toHaveLength(PATIENTS);
    expect(
      nodes(many.data)
        .map((p) => p.id)
        .sort(),
    ).toEqual([...created].sort());
    for (const p of [...nodes(one.data), ...nodes(many.data)])
      expectTwoPrescriptions(p.prescriptions.edges.map((e) => e.node));
    console.log(
      'pharmacy statements, prescriptions: 1 patient',
      one.statements,
      `${PATIENTS}`,
      many.statements,
    );
    expect(one.statements).toBeGreaterThan(0);
    expect(many.statements).toBe(one.statements);
  });

  it(`Patient.medications of ${PATIENTS} patients cost as many statements as of 1`, async () => {
    type Data = {
      patients: {
        edges: {
          node: { id: string; medications: { source: string; prescription: RxNode | null }[] };
        }[];
      };
    };
    const vars = { family: FAMILY, birth: BIRTH };
    const one = await costOf<Data>(MEDICATIONS, { ...vars, n: 1 });
    const many = await costOf<Data>(MEDICATIONS, { ...vars, n: PATIENTS });
    const nodes = (d: Data) => d.patients.edges.map((e) => e.node);
    expect(nodes(many.data)).toHaveLength(PATIENTS);
    for (const p of [...nodes(one.data), ...nodes(many.data)]) {
      expect(p.medications.map((m) => m.source)).toEqual(['prescription', 'prescription']);
      expectTwoPrescriptions(p.medications.map((m) => m.prescription!));
    }
    console.log(
      'pharmacy statements, medications: 1 patient',
      one.statements,
      `${PATIENTS}`,
      many.statements,
    );
    expect(one.statements).toBeGreaterThan(0);
    expect(many.statements).toBe(one.statements);
  });
});

describe('the SQL prescribing costs', () => {
  it('prescribe costs as many statements for a patient with 15 active prescriptions as with 1', async () => {
    const [few, busy] = (await newPatients(['few', 'busy'], 'Rxfew')) as [string, string];
    await prescribe(few, plain[0]!);
    for (const drug of plain.slice(0, 15)) await prescribe(busy, drug);
    const [active] = await t.sql<{ n: string }>(
      `SELECT count(*) n FROM pharmacy.prescription WHERE patient_id = $1 AND status = 'active'`,
      [busy],
    );
    expect(Number(active!.n)).toBe(15);

    // A drug on neither list: no alert, the same path for both.
    const drug = plain[16]!;
    const cost = async (patientId: string) => {
      const { result, statements } = await statementsOf(
        t,
        SUBGRAPHS,
        () => t.gql<Prescribed>(clinician, PRESCRIBE, { i: input(patientId, drug) }),
        3,
      );
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      expect(result.data!.prescribe.prescription).not.toBeNull();
      return statements.pharmacy!;
    };
    const withOne = await cost(few);
    const withFifteen = await cost(busy);
    console.log('pharmacy statements, prescribe: 1 active', withOne, '15 active', withFifteen);
    expect(withOne).toBeGreaterThan(0);
    expect(withFifteen).toBe(withOne);
  });
});
