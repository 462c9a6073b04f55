import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WITH_FACILITIES, startTestStack, untilKnown, type TestStack } from '../support/stack.js';
import { statementsOf } from '../support/statements.js';

/**
 * Care routing's reads are batched: a nearby page with each facility's
 * status, specialties and next free slot costs as many SQL statements for
 * 20 facilities as for 5; recommendations as many for 20 as for 1; and a
 * list of patients' care options and preferences as many for several
 * patients as for one; counted from the care-routing subgraph's own
 * `carefed_db_statements_total`.
 */
let t: TestStack;
let clinician: string;
const SUBGRAPHS = ['care-routing'] as const;
const PATIENTS = 8;
const FAMILY = 'Routebatch';
const BIRTH = '1972-05-06';
const POINT = { latitude: 38.9822, longitude: -94.6708 };
/** Patients on the demo clinician's care team, each with a Kansas address (ZIPs vary). */
const created: string[] = [];

async function ok<T>(token: string, query: string, variables: object = {}): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  // No periodic audit-head signing nor access-fact heartbeat in the middle of a count.
  t = await startTestStack('routing-batching', {
    ...WITH_FACILITIES,
    AUDIT_HEAD_INTERVAL: '3600',
    ACCESS_FACTS_HEARTBEAT_MS: '60000',
  });
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  const admin = await t.token('admin');
  // Kansas ZIPs with a centroid, nearest Overland Park first: one per patient.
  const zips = (
    await t.sql<{ zip: string }>(
      `SELECT zip FROM routing.zip_centroid WHERE state = 'KS'
        ORDER BY (lat - $1) ^ 2 + (lon - $2) ^ 2 LIMIT $3`,
      [POINT.latitude, POINT.longitude, PATIENTS],
    )
  ).map((r) => r.zip);
  expect(zips).toHaveLength(PATIENTS);
  for (let i = 0; i < PATIENTS; i++) {
    const { createPatient } = await ok<{ createPatient: { id: string } }>(
      admin,
      'mutation ($i: CreatePatientInput!) { createPatient(input: $i) { id } }',
      {
        i: {
          mrn: `ROUTE-BATCH-${i}`,
          name: { family: FAMILY, given: [`R${i}`] },
          birthDate: BIRTH,
          gender: 'male',
          address: [
            { line: [`${i} Elm St`], city: 'Overland Park', state: 'KS', postalCode: zips[i] },
          ],
        },
      },
    );
    await ok(
      admin,
      'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary-care") { id } }',
      { p: createPatient.id, pr: t.demo.practitionerId },
    );
    created.push(createPatient.id);
  }
  await untilKnown(t, created);
  await waitFor('the care-team links in care routing', async () => {
    const [row] = await t.sql<{ n: string }>(
      `SELECT count(DISTINCT patient_id) AS n FROM routing.care_team_projection
        WHERE patient_id = ANY($1::uuid[]) AND practitioner_id = $2 AND until IS NULL`,
      [created, t.demo.practitionerId],
    );
    return Number(row!.n) === PATIENTS;
  });
}, 180_000);
afterAll(() => t?.stop());

/** One request's statements in care routing. */
async function costOf<T>(query: string, variables: object, tries = 2) {
  const { result, statements } = await statementsOf(
    t,
    SUBGRAPHS,
    () => t.gql<T>(clinician, query, variables),
    tries,
  );
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return { data: result.data!, statements: statements['care-routing']! };
}

const NEARBY = /* GraphQL */ `
  query ($near: PlaceInput!, $n: Int!) {
    nearbyFacilities(near: $near, first: $n) {
      edges {
        node {
          distanceKm
          facility {
            id
            status {
              openNow
            }
            specialties
            nextAvailable {
              start
            }
          }
        }
      }
    }
  }
`;
const RECOMMEND = /* GraphQL */ `
  query ($near: PlaceInput!, $n: Int!) {
    careRecommendations(near: $near, need: { urgency: routine, radiusKm: 300, first: $n }) {
      recommendations {
        rank
        nextFreeSlot {
          start
        }
        facility {
          id
          status {
            openNow
          }
          specialties
          nextAvailable {
            start
          }
        }
      }
    }
  }
`;
/** A list of patients with one of care routing's patient fields. */
const patientsWith = (field: string) => /* GraphQL */ `
  query ($n: Int!, $family: String!, $birth: String!) {
    patients(family: $family, birthDate: $birth, first: $n) {
      edges {
        node {
          id
          ${field}
        }
      }
    }
  }
`;
const CARE_OPTIONS = patientsWith(
  'careOptions(need: { urgency: routine }) { originSource recommendations { facility { id } } }',
);
const CARE_PREFERENCES = patientsWith('carePreferences { version }');

describe('the SQL care routing’s reads cost', () => {
  it('nearbyFacilities with status, specialties and next free slot: as many statements for 20 facilities as for 5', async () => {
    type Data = { nearbyFacilities: { edges: { node: { facility: { id: string } } }[] } };
    const five = await costOf<Data>(NEARBY, { near: POINT, n: 5 });
    const twenty = await costOf<Data>(NEARBY, { near: POINT, n: 20 });
    expect(five.data.nearbyFacilities.edges).toHaveLength(5);
    expect(twenty.data.nearbyFacilities.edges).toHaveLength(20);
    console.log('care-routing statements, nearby: 5', five.statements, '20', twenty.statements);
    expect(five.statements).toBeGreaterThan(0);
    expect(five.statements).toBeLessThanOrEqual(6);
    expect(twenty.statements).toBe(five.statements);
  });

  it('careRecommendations: as many statements for 20 recommendations as for 1', async () => {
    type Data = { careRecommendations: { recommendations: { rank: number }[] } };
    const one = await costOf<Data>(RECOMMEND, { near: POINT, n: 1 });
    const twenty = await costOf<Data>(RECOMMEND, { near: POINT, n: 20 });
    expect(one.data.careRecommendations.recommendations).toHaveLength(1);
    expect(twenty.data.careRecommendations.recommendations).toHaveLength(20);
    console.log(
      'care-routing statements, recommendations: 1',
      one.statements,
      '20',
      twenty.statements,
    );
    expect(one.statements).toBeGreaterThan(0);
    expect(twenty.statements).toBe(one.statements);
  });

  type Listed<N> = { patients: { edges: { node: N & { id: string } }[] } };
  const vars = { family: FAMILY, birth: BIRTH };
  const nodes = <N>(d: Listed<N>) => d.patients.edges.map((e) => e.node);

  /** The cost of `query` over 1 patient and over all of them, checked to list the right patients. */
  async function overPatients<N>(query: string) {
    const one = await costOf<Listed<N>>(query, { ...vars, n: 1 });
    const many = await costOf<Listed<N>>(query, { ...vars, n: PATIENTS });
    expect(nodes(one.data)).toHaveLength(1);
    expect(
      nodes(many.data)
        .map((p) => p.id)
        .sort(),
    ).toEqual([...created].sort());
    return { one, many, all: [...nodes(one.data), ...nodes(many.data)] };
  }

  /**
   * carePreferences is decided, audited and read for every patient of a response in one round
   * (loaders.ts: patientReads, preferences): the same statements for 8 patients as for 1.
   * careOptions shares that round and the ZIP lookup, but the recommender runs once per patient
   * (each has their own origin: the nearby searches, statuses, traffic and free slots around
   * it): a bounded cost per patient, pinned here so it cannot grow unnoticed.
   */
  const PER_PATIENT = { carePreferences: 0, careOptions: 6 } as const;
  const measured: Partial<Record<keyof typeof PER_PATIENT, { one: number; many: number }>> = {};

  it(`Patient.carePreferences of ${PATIENTS} patients: at most ${PER_PATIENT.carePreferences} statements more a patient`, async () => {
    const { one, many, all } = await overPatients<{ carePreferences: { version: number } }>(
      CARE_PREFERENCES,
    );
    for (const p of all) expect(p.carePreferences.version).toBe(0);
    console.log(
      'care-routing statements, carePreferences: 1 patient',
      one.statements,
      `${PATIENTS}`,
      many.statements,
    );
    measured.carePreferences = { one: one.statements, many: many.statements };
    expect(one.statements).toBeGreaterThan(0);
    expect(many.statements - one.statements).toBeLessThanOrEqual(
      (PATIENTS - 1) * PER_PATIENT.carePreferences,
    );
  });

  it(`Patient.careOptions of ${PATIENTS} patients: at most ${PER_PATIENT.careOptions} statements more a patient`, async () => {
    const { one, many, all } = await overPatients<{
      careOptions: { originSource: string; recommendations: unknown[] };
    }>(CARE_OPTIONS);
    for (const p of all) {
      expect(p.careOptions.originSource).toBe('postal-code');
      expect(p.careOptions.recommendations.length).toBeGreaterThan(0);
    }
    console.log(
      'care-routing statements, careOptions: 1 patient',
      one.statements,
      `${PATIENTS}`,
      many.statements,
    );
    measured.careOptions = { one: one.statements, many: many.statements };
    expect(one.statements).toBeGreaterThan(0);
    expect(many.statements - one.statements).toBeLessThanOrEqual(
      (PATIENTS - 1) * PER_PATIENT.careOptions,
    );
  });

  it(`Patient.carePreferences of ${PATIENTS} patients: as many statements as of 1`, () => {
    const m = measured.carePreferences!;
    expect(m.many).toBe(m.one);
  });
});
