import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNdjson } from '../../platform/data/ndjson.js';
import type { Principal, Role } from '../../platform/identity/principal.js';
import { fromFhirPatient } from '../../subgraphs/patient/seed.js';
import { textPartnerClients } from '../support/clients.js';
import { demoOverrides, startTestStack, type TestStack } from '../support/stack.js';
import { statementsOf } from '../support/statements.js';

/**
 * `importPatients` through the gateway on a seeded stack: identity by MRN,
 * idempotent re-imports, new versions for changes, all-or-nothing batches,
 * who may call it, no plaintext at rest, and a statement count that does not
 * grow with the batch.
 */
let t: TestStack;
let system: string;
let admin: string;
const ADAPTER = 'fhir-adapter-test';

/** A client-credentials token of a first-party system client, as the token endpoint signs it. */
const systemToken = (scopes: string[], over: Partial<Principal> = {}) =>
  t.stack.devIssuer!.sign({
    sub: ADAPTER,
    roles: ['partner'],
    scopes,
    clientId: ADAPTER,
    purposeOfUse: 'HOPERAT',
    ...over,
  });

beforeAll(async () => {
  // The audit sealer and head signer run on the subgraph's counted connections: not during a count.
  t = await startTestStack('import', {
    ...textPartnerClients(['partner-demo-app', ADAPTER]),
    AUDIT_HEAD_INTERVAL: '3600',
    AUDIT_SEAL_INTERVAL_MS: '60000',
  });
  system = await systemToken(['system/Patient.cu']);
  admin = await t.token('admin');
}, 120_000);
afterAll(() => t?.stop());

interface Result {
  sourceKey: string;
  id: string;
  outcome: 'CREATED' | 'UPDATED' | 'UNCHANGED';
  version: number;
}

const IMPORT = /* GraphQL */ `
  mutation ($p: [ImportPatientInput!]!) {
    importPatients(patients: $p) {
      sourceKey
      id
      outcome
      version
    }
  }
`;

const importAs = (token: string, patients: object[]) =>
  t.gql<{ importPatients: Result[] }>(token, IMPORT, { p: patients });

async function imported(token: string, patients: object[]): Promise<Result[]> {
  const r = await importAs(token, patients);
  expect(r.errors).toBeUndefined();
  return r.data!.importPatients;
}

/** An import entry with everything an adapter sends. */
const entry = (mrn: string, family: string, over: object = {}) => ({
  sourceKey: `Patient/src-${mrn}`,
  mrn,
  name: { family, given: ['Ida', 'Mae'] },
  birthDate: '1971-03-04',
  gender: 'female',
  telecom: [{ system: 'phone', value: '555-0199', use: 'home' }],
  address: [{ line: ['9 Import Lane'], city: 'Salem', state: 'MA', postalCode: '01970' }],
  identifiers: [
    { system: 'http://hospital.example.org', value: mrn },
    { system: 'urn:oid:2.16.840.1.113883.4.3.25', value: `DL-${mrn}` },
  ],
  ...over,
});

const count = async (sql: string, params: unknown[] = []) =>
  Number((await t.sql<{ n: string }>(sql, params))[0]!.n);

/** What a write would change: patient rows (ciphertext, version), history, outbox, review queue. */
const writtenState = async () => ({
  patients: await t.sql(
    'SELECT id, version, mrn, name, telecom, updated_at FROM patient.patient ORDER BY id',
  ),
  versions: await count('SELECT count(*) n FROM patient.patient_version'),
  outbox: await count('SELECT count(*) n FROM patient.outbox'),
  reviews: await count('SELECT count(*) n FROM patient.registration_review'),
});

describe('importPatients', () => {
  const batch = [
    entry('IMP-001', 'Importova'),
    entry('IMP-002', 'Importsson'),
    entry('IMP-003', 'Importelli', { telecom: undefined, address: undefined }),
  ];
  let first: Result[];

  it('creates unknown patients, readable with the same data, each published', async () => {
    first = await imported(system, batch);
    expect(first.map((r) => [r.sourceKey, r.outcome, r.version])).toEqual([
      ['Patient/src-IMP-001', 'CREATED', 1],
      ['Patient/src-IMP-002', 'CREATED', 1],
      ['Patient/src-IMP-003', 'CREATED', 1],
    ]);
    const r = await t.gql<{ patient: Record<string, unknown> }>(
      admin,
      /* GraphQL */ `
        query ($id: ID!) {
          patient(id: $id) {
            mrn
            name {
              family
              given
            }
            birthDate
            gender
            telecom {
              system
              value
              use
            }
            address {
              line
              city
              state
              postalCode
              country
            }
            identifiers {
              system
              value
            }
            version
          }
        }
      `,
      { id: first[0]!.id },
    );
    expect(r.errors).toBeUndefined();
    const sent = { ...batch[0]! } as Partial<ReturnType<typeof entry>>;
    delete sent.sourceKey;
    expect(r.data!.patient).toEqual({
      ...sent,
      address: [{ ...sent.address![0], country: null }],
      version: 1,
    });
    const events = await t.sql<{ aggregate_id: string }>(
      "SELECT aggregate_id FROM patient.outbox WHERE type = 'patient.registered' AND aggregate_id = ANY($1)",
      [first.map((x) => x.id)],
    );
    expect(events.map((e) => e.aggregate_id).sort()).toEqual(first.map((x) => x.id).sort());
    // Audited as creations by the importer.
    const audit = await t.sql<{ payload: string }>(
      "SELECT payload FROM audit.entry WHERE patient_id = ANY($1) AND payload::jsonb -> 'actor' ->> 'sub' = $2",
      [first.map((x) => x.id), ADAPTER],
    );
    expect(audit.map((a) => (JSON.parse(a.payload) as { action: string }).action)).toEqual([
      'create',
      'create',
      'create',
    ]);
  });

  it('changes nothing when the same data comes again', async () => {
    const before = await writtenState();
    const again = await imported(system, batch);
    expect(again).toEqual(first.map((r) => ({ ...r, outcome: 'UNCHANGED' })));
    expect(await writtenState()).toEqual(before);
    const audit = await t.sql<{ payload: string }>(
      "SELECT payload FROM audit.entry WHERE patient_id = $1 AND payload::jsonb -> 'actor' ->> 'sub' = $2 ORDER BY seq",
      [first[0]!.id, ADAPTER],
    );
    expect(JSON.parse(audit.at(-1)!.payload)).toMatchObject({ action: 'read', outcome: 'permit' });
  });

  it('makes a changed patient a new version, keeping the old one in history', async () => {
    const changed = [
      batch[0]!,
      { ...batch[1]!, telecom: [{ system: 'phone', value: '555-0200', use: 'mobile' }] },
      batch[2]!,
    ];
    const r = await imported(system, changed);
    expect(r.map((x) => [x.id, x.outcome, x.version])).toEqual([
      [first[0]!.id, 'UNCHANGED', 1],
      [first[1]!.id, 'UPDATED', 2],
      [first[2]!.id, 'UNCHANGED', 1],
    ]);
    const h = await t.gql<{
      patient: {
        telecom: { value: string }[];
        history: { version: number; record: { telecom: { value: string }[] } }[];
      };
    }>(
      admin,
      `{ patient(id: "${first[1]!.id}") { telecom { value } history { version record { telecom { value } } } } }`,
    );
    expect(h.errors).toBeUndefined();
    expect(h.data!.patient.telecom).toEqual([{ value: '555-0200' }]);
    expect(h.data!.patient.history.map((v) => [v.version, v.record.telecom[0]!.value])).toEqual([
      [2, '555-0200'],
      [1, '555-0199'],
    ]);
    expect((await imported(system, changed))[1]).toMatchObject({
      outcome: 'UNCHANGED',
      version: 2,
    });
  });

  it('matches a seeded patient by MRN: what fromFhirPatient derives is what is stored', async () => {
    const [fhir] = readNdjson<Parameters<typeof fromFhirPatient>[0]>(
      path.resolve('data', 'synthea', 'Patient.000.ndjson'),
    );
    const data = fromFhirPatient(fhir!);
    const patients = await count('SELECT count(*) n FROM patient.patient');
    const same = await imported(system, [{ sourceKey: `Patient/${fhir!.id}`, ...data }]);
    expect(same).toEqual([
      { sourceKey: `Patient/${fhir!.id}`, id: fhir!.id, outcome: 'UNCHANGED', version: 1 },
    ]);
    const moved = await imported(system, [
      {
        sourceKey: `Patient/${fhir!.id}`,
        ...data,
        address: [{ line: ['1 Moved Street'], city: 'Boston' }],
      },
    ]);
    expect(moved).toEqual([
      { sourceKey: `Patient/${fhir!.id}`, id: fhir!.id, outcome: 'UPDATED', version: 2 },
    ]);
    expect(await count('SELECT count(*) n FROM patient.patient')).toBe(patients);
  });

  it('refuses a batch naming one MRN twice (in any case), writing nothing', async () => {
    const before = await writtenState();
    const r = await importAs(system, [
      entry('IMP-DUP-1', 'Dup'),
      entry('IMP-NEW-9', 'Fresh'),
      entry('imp-dup-1', 'Dup'),
    ]);
    expect(r.data).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/patients\[2\].*patients\[0\]/);
    expect(await writtenState()).toEqual(before);
  });

  it('takes 1 to 100 patients per call', async () => {
    const before = await writtenState();
    const many = Array.from({ length: 101 }, (_, i) => entry(`IMP-MANY-${i}`, 'Many'));
    for (const patients of [many, []]) {
      const r = await importAs(system, patients);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const invalid = await importAs(system, [entry('IMP-BAD', 'Bad', { sourceKey: '' })]);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await writtenState()).toEqual(before);
  });

  it('refuses the whole batch when consent denies the importer one record', async () => {
    const consent = await t.gql<{ recordConsent: { id: string } }>(
      admin,
      /* GraphQL */ `
        mutation ($p: ID!, $input: RecordConsentInput!) {
          recordConsent(patientId: $p, input: $input) {
            id
          }
        }
      `,
      {
        p: first[2]!.id,
        input: {
          scope: 'patient_privacy',
          provisions: [{ type: 'deny', actors: [{ kind: 'client', id: ADAPTER }] }],
        },
      },
    );
    expect(consent.errors).toBeUndefined();
    const before = await writtenState();
    const r = await importAs(system, [
      entry('IMP-NEW-10', 'Fresh'),
      { ...batch[2]!, birthDate: '1971-03-05' },
    ]);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await writtenState()).toEqual(before);
    const denied = await t.sql<{ payload: string }>(
      "SELECT payload FROM audit.entry WHERE patient_id = $1 AND payload::jsonb ->> 'outcome' = 'deny'",
      [first[2]!.id],
    );
    expect(denied.map((d) => JSON.parse(d.payload) as object)).toContainEqual(
      expect.objectContaining({
        action: 'update',
        actor: expect.objectContaining({ sub: ADAPTER }),
      }),
    );
  });

  it('refuses an MRN that several records hold (a registration awaiting review)', async () => {
    // A clinician who may not see the imported record registers its MRN again: queued for review.
    const clinician = await t.token('clinician', demoOverrides(t).clinician);
    const dup = await t.gql<{ createPatient: { id: string } }>(
      clinician,
      'mutation ($i: CreatePatientInput!) { createPatient(input: $i) { id } }',
      {
        i: {
          mrn: 'IMP-001',
          name: { family: 'Other', given: [] },
          birthDate: '1990-01-01',
          gender: 'male',
        },
      },
    );
    expect(dup.errors).toBeUndefined();
    const before = await writtenState();
    const r = await importAs(system, [entry('IMP-NEW-11', 'Fresh'), batch[0]!]);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', index: 1 });
    expect(await writtenState()).toEqual(before);
  });

  it('keeps no plaintext of imported patients at rest', async () => {
    for (const table of ['patient.patient', 'patient.patient_version', 'patient.outbox'])
      expect(
        await count(
          `SELECT count(*) n FROM ${table} r WHERE r::text ~* 'Importova|Importsson|Importelli|9 Import Lane|555-0199'`,
        ),
        table,
      ).toBe(0);
    expect(
      await count("SELECT count(*) n FROM audit.entry r WHERE r::text ~* 'Importova|Importsson'"),
    ).toBe(0);
  });
});

describe('who may import', () => {
  const denied: [string, () => Promise<string>][] = [
    ...(['clinician', 'scheduler', 'patient', 'pharmacist', 'billing', 'auditor'] as Role[]).map(
      (role): [string, () => Promise<string>] => [
        role,
        () => t.token(role, (demoOverrides(t) as Partial<Record<Role, object>>)[role] ?? {}),
      ],
    ),
    [
      'partner bound to a patient',
      () =>
        t.token('partner', {
          patientId: t.demo.patientId,
          scopes: ['patient/Patient.cru', 'system/Patient.cru'],
        }),
    ],
    ['system client without an import scope', () => systemToken(['system/Patient.rs'])],
    ['system client that may only create', () => systemToken(['system/Patient.c'])],
  ];

  for (const [who, token] of denied)
    it(`${who}: FORBIDDEN, nothing written`, async () => {
      const before = await writtenState();
      const r = await importAs(await token(), [entry('IMP-ROLE-1', 'Role')]);
      expect(r.data).toBeNull();
      expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(await writtenState()).toEqual(before);
    });

  it('admin: allowed', async () => {
    const [r] = await imported(admin, [entry('IMP-ADMIN-1', 'Adminova')]);
    expect(r).toMatchObject({ outcome: 'CREATED', version: 1 });
  });

  it('system client with system/Patient.cu: allowed (HOPERAT)', async () => {
    const [r] = await imported(system, [entry('IMP-ADMIN-1', 'Adminova')]);
    expect(r).toMatchObject({ outcome: 'UNCHANGED', version: 1 });
  });
});

describe('statements', () => {
  let n = 0;
  const fresh = (size: number) =>
    Array.from({ length: size }, () => {
      n += 1;
      return entry(`IMP-COST-${n}`, `Cost${n}`);
    });
  const cost = async (patients: () => object[]) =>
    (
      await statementsOf(t, ['patient'], async () => {
        const r = await importAs(system, patients());
        expect(r.errors).toBeUndefined();
        return r.data!.importPatients;
      })
    ).statements.patient!;

  it('costs the same for 1 patient as for 50, created, unchanged or updated', async () => {
    const one = fresh(1);
    const fifty = fresh(50);
    const created = [await cost(() => fresh(1)), await cost(() => fresh(50))];
    await imported(system, one);
    await imported(system, fifty);
    const unchanged = [await cost(() => one), await cost(() => fifty)];
    let v = 0;
    const changed = (ps: object[]) => () =>
      ps.map((p) => ({ ...p, birthDate: `1960-01-${String((v++ % 28) + 1).padStart(2, '0')}` }));
    const updated = [await cost(changed(one)), await cost(changed(fifty))];
    console.info('importPatients statements [1, 50]:', { created, unchanged, updated });
    expect(created[1]).toBe(created[0]);
    expect(unchanged[1]).toBe(unchanged[0]);
    // A batch update adds MikroORM's version check (one SELECT) to the UPDATE itself.
    expect(updated[1]).toBeLessThanOrEqual(updated[0]! + 1);
    // Measured: begin, MRN locks, match, rows, history, events and audit, commit (may only go down).
    expect(created[1]).toBeLessThanOrEqual(7);
    expect(unchanged[1]).toBeLessThanOrEqual(8);
    expect(updated[1]).toBeLessThanOrEqual(11);
  }, 60_000);
});
