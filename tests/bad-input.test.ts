import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Bad input gets a typed error (BAD_USER_INPUT), never a 500, never a partial
 * write; and a canary PHI value sent through the API shows up in no log line
 * and no error message.
 */
let t: TestStack;
let admin: string;
const CANARY = `Zq${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  t = await startTestStack('badinput');
  admin = await t.token('admin');
});
afterAll(() => t?.stop());

const CREATE = /* GraphQL */ `
  mutation ($input: CreatePatientInput!) {
    createPatient(input: $input) {
      id
      version
    }
  }
`;

const valid = () => ({
  mrn: `BI-${randomBytes(3).toString('hex')}`,
  name: { family: 'Valid', given: ['Input'] },
  birthDate: '1975-03-04',
  gender: 'female',
});

async function counts() {
  const [row] = await t.sql<{ p: string; v: string; c: string; a: string }>(
    `select (select count(*) from patient.patient) p, (select count(*) from patient.patient_version) v,
            (select count(*) from patient.consent) c, (select count(*) from patient.care_team_member) a`,
  );
  return row;
}

const BAD_CREATES: [string, Record<string, unknown>][] = [
  ['impossible date', { birthDate: '1990-13-45' }],
  ['date in the future', { birthDate: '2999-01-01' }],
  ['date with time', { birthDate: '1990-01-01T00:00:00Z' }],
  ['unknown enum value', { gender: 'robot' }],
  ['overlong family name', { name: { family: 'x'.repeat(1000), given: ['A'] } }],
  ['too many given names', { name: { family: 'Ok', given: ['a', 'b', 'c', 'd', 'e', 'f'] } }],
  ['SQL metacharacters in the MRN', { mrn: "x'; DROP TABLE patient.patient; --" }],
  [
    'SQL metacharacters in a name',
    { name: { family: "Robert'); DELETE FROM patient.patient;--", given: ['B'] } },
  ],
  ['unknown input field', { shoeSize: 44 }],
  ['wrong type', { birthDate: 19900101 }],
  ['missing required field', { gender: undefined }],
  ['bad email', { telecom: [{ system: 'email', value: 'not-an-email' }] }],
];

describe('bad input', () => {
  for (const [what, change] of BAD_CREATES) {
    it(`createPatient with ${what}: BAD_USER_INPUT, nothing written`, async () => {
      const before = await counts();
      const r = await t.gql(admin, CREATE, { input: { ...valid(), ...change } });
      expect(r.status).toBeLessThan(500);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.data?.createPatient ?? null).toBeNull();
      expect(await counts()).toEqual(before);
    });
  }

  it('a legitimate apostrophe is stored and read back intact (parameterised SQL)', async () => {
    const r = await t.gql<{ createPatient: { id: string } }>(admin, CREATE, {
      input: { ...valid(), name: { family: "O'Keefe", given: ['Siobhán'] } },
    });
    const read = await t.gql<{ patient: { name: { family: string; given: string[] } } }>(
      admin,
      `{ patient(id: "${r.data!.createPatient.id}") { name { family given } } }`,
    );
    expect(read.data!.patient.name).toEqual({ family: "O'Keefe", given: ['Siobhán'] });
  });

  it.each([
    ['an id that is not a UUID', `{ patient(id: "1 OR 1=1") { id } }`],
    ['a page size over the limit', '{ patients(first: 1000) { edges { node { id } } } }'],
    ['a negative page size', '{ patients(first: -1) { edges { node { id } } } }'],
    ['a forged cursor', '{ patients(first: 5, after: "not-a-cursor") { edges { node { id } } } }'],
    [
      'a cursor holding SQL',
      `{ patients(first: 5, after: "${Buffer.from(JSON.stringify(["' OR 1=1 --"])).toString('base64url')}") { edges { node { id } } } }`,
    ],
    ['family without birthDate', '{ patients(family: "Upton904") { edges { node { id } } } }'],
  ])('%s: BAD_USER_INPUT', async (_what, query) => {
    const r = await t.gql(admin, query);
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a stale version is CONFLICT and changes nothing', async () => {
    const created = await t.gql<{ createPatient: { id: string } }>(admin, CREATE, {
      input: valid(),
    });
    const id = created.data!.createPatient.id;
    const update = /* GraphQL */ `
      mutation ($id: ID!, $v: Int!) {
        updatePatient(id: $id, expectedVersion: $v, input: { gender: male }) {
          version
          gender
        }
      }
    `;
    const first = await t.gql<{ updatePatient: { version: number } }>(admin, update, { id, v: 1 });
    expect(first.data!.updatePatient.version).toBe(2);
    const before = await counts();
    const stale = await t.gql(admin, update, { id, v: 1 });
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(stale.errors?.[0]?.extensions?.currentVersion).toBe(2);
    expect(await counts()).toEqual(before);
  });
});

describe('a canary PHI value', () => {
  it('never appears in error messages or logs', async () => {
    const bodies: string[] = [];
    const send = async (query: string, variables?: object) => {
      const r = await fetch(t.stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ query, variables }),
      });
      const text = await r.text();
      bodies.push(text);
      return JSON.parse(text) as { data?: { createPatient?: { id: string } } };
    };
    // A valid record holding the canary: its own data responses may show it, nothing else may.
    const created = await send(CREATE, {
      input: { ...valid(), name: { family: CANARY, given: [CANARY] } },
    });
    const id = created.data!.createPatient!.id;
    bodies.pop();
    await send(CREATE, { input: { ...valid(), birthDate: CANARY } });
    await send(CREATE, { input: { ...valid(), gender: CANARY } });
    await send(CREATE, { input: { ...valid(), mrn: `${CANARY}'--` } });
    await send(CREATE, { input: { ...valid(), name: { family: `${CANARY};`, given: [] } } });
    await send(`{ patient(id: "${CANARY}") { id } }`);
    await send(`{ patients(mrn: "${CANARY}", first: 0) { edges { node { id } } } }`);
    await send(
      `mutation { createPatient(input: { mrn: "x", name: { family: "${CANARY}" given: [] }, birthDate: "${CANARY}", gender: female }) { id } }`,
    );
    await send(`{ patient(id: "${id}" { ${CANARY} }`);
    // A patient token reading the canary patient is refused: the refusal must not echo it either.
    const patientToken = await t.token('patient', { patientId: t.demo.patientId });
    const denied = await t.gql(patientToken, `{ patient(id: "${id}") { name { family } } }`);
    bodies.push(JSON.stringify(denied));
    expect(bodies.length).toBe(9);
    for (const body of bodies) expect(body).not.toContain(CANARY);
    expect(t.logs().length).toBeGreaterThan(0);
    expect(t.logs()).not.toContain(CANARY);
  });
});
