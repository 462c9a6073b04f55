import type { TestStack } from './stack.js';
import { untilKnown } from './stack.js';

/** A patient to register (MRN, name, birth date, gender). */
export interface NewPatient {
  mrn: string;
  family: string;
  given: string;
  birthDate?: string;
  gender?: 'female' | 'male' | 'other' | 'unknown';
}

async function gqlOk<T>(t: TestStack, token: string, query: string, variables: object): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  if (r.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(r.errors)}`);
  return r.data!;
}

/**
 * Registers patients as an admin and puts each on `practitionerId`'s care team
 * (default the demo clinician's); with `schemas`, waits until those
 * subgraphs' projections hold every patient and its open care-team link
 * (they refuse writes for patients they do not know, and events are
 * asynchronous). Returns the ids in order.
 */
export async function patientsOnCareTeam(
  t: TestStack,
  patients: readonly NewPatient[],
  opts: { practitionerId?: string; schemas?: readonly string[] } = {},
): Promise<string[]> {
  const admin = await t.token('admin');
  const practitionerId = opts.practitionerId ?? t.demo.practitionerId;
  const ids: string[] = [];
  for (const p of patients) {
    const { createPatient } = await gqlOk<{ createPatient: { id: string } }>(
      t,
      admin,
      'mutation ($i: CreatePatientInput!) { createPatient(input: $i) { id } }',
      {
        i: {
          mrn: p.mrn,
          name: { family: p.family, given: [p.given] },
          birthDate: p.birthDate ?? '1970-01-01',
          gender: p.gender ?? 'female',
        },
      },
    );
    await gqlOk(
      t,
      admin,
      'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary-care") { id } }',
      { p: createPatient.id, pr: practitionerId },
    );
    ids.push(createPatient.id);
  }
  await untilKnown(t, ids);
  const deadline = Date.now() + 30_000;
  for (const schema of opts.schemas ?? []) {
    if (!/^[a-z_]+$/.test(schema)) throw new TypeError(`Not a schema name: ${schema}`);
    for (;;) {
      const [row] = await t.sql<{ n: string }>(
        `SELECT (SELECT count(*) FROM ${schema}.patient_projection WHERE id = ANY($1::uuid[]))
              + (SELECT count(DISTINCT patient_id) FROM ${schema}.care_team_projection
                  WHERE patient_id = ANY($1::uuid[]) AND practitioner_id = $2 AND until IS NULL) AS n`,
        [ids, practitionerId],
      );
      if (Number(row!.n) === 2 * ids.length) break;
      if (Date.now() > deadline) throw new Error(`${schema} never learnt of the patients`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return ids;
}

/** One patient on a care team (`patientsOnCareTeam`). */
export async function patientOnCareTeam(
  t: TestStack,
  patient: NewPatient,
  opts: { practitionerId?: string; schemas?: readonly string[] } = {},
): Promise<string> {
  const [id] = await patientsOnCareTeam(t, [patient], opts);
  return id!;
}
