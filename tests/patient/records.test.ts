import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';

/** Search through blind indexes, versioned history, optimistic updates. */
let t: TestStack;
let admin: string;
let id: string;

beforeAll(async () => {
  t = await startTestStack('records');
  admin = await t.token('admin');
  const r = await t.gql<{ createPatient: { id: string } }>(
    admin,
    /* GraphQL */ `
      mutation {
        createPatient(
          input: {
            mrn: "REC-001"
            name: { family: "Núñez  García", given: ["Ana"] }
            birthDate: "1984-02-29"
            gender: female
            telecom: [{ system: phone, value: "555-0101", use: "home" }]
            address: [{ line: ["1 Old Street"], city: "Springfield", postalCode: "01101" }]
          }
        ) {
          id
        }
      }
    `,
  );
  id = r.data!.createPatient.id;
});
afterAll(() => t?.stop());

const search = (args: string) =>
  t.gql<{ patients: { edges: { node: { id: string } }[] } }>(
    admin,
    `{ patients(${args}) { edges { node { id } } } }`,
  );

describe('search', () => {
  it('finds by exact MRN', async () => {
    expect((await search('mrn: "REC-001"')).data!.patients.edges.map((e) => e.node.id)).toEqual([
      id,
    ]);
    expect((await search('mrn: "REC-00"')).data!.patients.edges).toEqual([]);
  });

  it('finds by family name and birth date, ignoring case and spacing but not partial names', async () => {
    for (const family of ['Núñez  García', 'núñez garcía', 'NÚÑEZ GARCÍA'])
      expect(
        (await search(`family: "${family}", birthDate: "1984-02-29"`)).data!.patients.edges.map(
          (e) => e.node.id,
        ),
      ).toEqual([id]);
    expect((await search('family: "Núñez", birthDate: "1984-02-29"')).data!.patients.edges).toEqual(
      [],
    );
    expect(
      (await search('family: "Núñez García", birthDate: "1984-03-01"')).data!.patients.edges,
    ).toEqual([]);
  });

  it('finds a Synthea demo patient by family and birth date', async () => {
    const r = await search('family: "Upton904", birthDate: "1927-05-21"');
    expect(r.data!.patients.edges.map((e) => e.node.id)).toEqual([
      '79a66c97-6131-3213-f3c9-4606946ab056',
    ]);
  });
});

describe('history and versions', () => {
  const update = /* GraphQL */ `
    mutation ($id: ID!, $v: Int!, $input: UpdatePatientInput!) {
      updatePatient(id: $id, expectedVersion: $v, input: $input) {
        version
        telecom {
          value
        }
        address {
          line
        }
      }
    }
  `;

  it('keeps every prior version, readable newest first with who and when', async () => {
    const clinician = await t.token('scheduler', { sub: 'front-desk-7' });
    const v2 = await t.gql<{ updatePatient: { version: number } }>(clinician, update, {
      id,
      v: 1,
      input: { telecom: [{ system: 'phone', value: '555-0202' }] },
    });
    expect(v2.data!.updatePatient.version).toBe(2);
    const v3 = await t.gql<{ updatePatient: { version: number; address: { line: string[] }[] } }>(
      admin,
      update,
      {
        id,
        v: 2,
        input: { address: [{ line: ['2 New Road'] }] },
      },
    );
    expect(v3.data!.updatePatient).toMatchObject({
      version: 3,
      address: [{ line: ['2 New Road'] }],
    });

    const h = await t.gql<{
      patient: {
        history: {
          version: number;
          recordedBy: string;
          record: { telecom: { value: string }[]; address: { line: string[] }[] };
        }[];
      };
    }>(
      admin,
      `{ patient(id: "${id}") { history { version recordedBy record { telecom { value } address { line } } } } }`,
    );
    expect(h.errors).toBeUndefined();
    expect(h.data!.patient.history.map((v) => [v.version, v.recordedBy])).toEqual([
      [3, 'dev-admin'],
      [2, 'front-desk-7'],
      [1, 'dev-admin'],
    ]);
    const [three, two, one] = h.data!.patient.history;
    expect(one!.record.telecom[0]!.value).toBe('555-0101');
    expect(one!.record.address[0]!.line).toEqual(['1 Old Street']);
    expect(two!.record.telecom[0]!.value).toBe('555-0202');
    expect(two!.record.address[0]!.line).toEqual(['1 Old Street']);
    expect(three!.record.address[0]!.line).toEqual(['2 New Road']);
  });

  it('refuses a stale version with CONFLICT naming the current one', async () => {
    const stale = await t.gql(admin, update, { id, v: 1, input: { gender: 'other' } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 3 });
  });

  it('lets exactly one of two concurrent updates from the same version win', async () => {
    const r = await t.gql<{ patient: { version: number } }>(
      admin,
      `{ patient(id: "${id}") { version } }`,
    );
    const v = r.data!.patient.version;
    const results = await Promise.all(
      ['555-1111', '555-2222'].map((value) =>
        t.gql(admin, update, { id, v, input: { telecom: [{ system: 'phone', value }] } }),
      ),
    );
    const codes = results.map((x) => x.errors?.[0]?.extensions?.code ?? 'ok').sort();
    expect(codes).toEqual(['CONFLICT', 'ok']);
    const { n } = (
      await t.sql<{ n: string }>(
        'select count(*) n from patient.patient_version where patient_id = $1',
        [id],
      )
    )[0]!;
    expect(Number(n)).toBe(v + 1);
  });
});
