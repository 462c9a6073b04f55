import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher, Keyring, rotateColumns } from '../platform/crypto/index.js';
import { rotateSchemaKey } from '../platform/crypto/rotate-schema.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { createOrm } from '../platform/db/orm.js';
import { serviceRoleUrl } from '../platform/db/provision.js';
import { PATIENT_ROTATION } from '../subgraphs/patient/encrypted-columns.js';
import { startTestStack, type GqlResponse, type TestStack } from './support/stack.js';

/**
 * Encryption at rest, seen from outside: what a database reader finds in the
 * PHI tables, what a moved ciphertext does to a read through the gateway, and
 * a data-key rotation while the API keeps serving reads and writes.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('encryption');
});
afterAll(() => t?.stop());

/** `cf1.<version>.<iv>.<ciphertext>.<tag>`: 12-byte IV and 16-byte tag, base64url. */
const CIPHERTEXT = /^cf1\.([1-9][0-9]*)\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;
const PATIENT_COLUMNS = [
  'mrn',
  'name',
  'birth_date',
  'gender',
  'telecom',
  'address',
  'identifiers',
];

interface SyntheaPatient {
  birthDate: string;
  name?: { family?: string; given?: string[] }[];
}

/** Every name part and birth date of the demo patients, as loaded from Synthea. */
function syntheaPlaintexts(): string[] {
  const file = path.resolve(import.meta.dirname, '..', 'data', 'synthea', 'Patient.000.ndjson');
  const patients = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as SyntheaPatient);
  const values = patients.flatMap((p) => [
    p.birthDate,
    ...(p.name ?? []).flatMap((n) => [n.family ?? '', ...(n.given ?? [])]),
  ]);
  return [...new Set(values.filter((v) => v.length > 0))];
}

/** Each row of a table rendered as text by PostgreSQL, joined. */
async function tableText(table: string): Promise<string> {
  const rows = await t.sql<{ row: string }>(`SELECT r::text AS row FROM ${table} r`);
  return rows.map((r) => r.row).join('\n');
}

const admin = () => t.token('admin');

const PATIENT_FIELDS = /* GraphQL */ `
  id
  version
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
`;

interface PatientNode {
  id: string;
  version: number;
  mrn: string;
  name: { family: string; given: string[] };
  birthDate: string;
  gender: string;
  telecom: { system: string; value: string; use: string | null }[];
  address: unknown[];
  identifiers: unknown[];
}

const READ_ONE = /* GraphQL */ `
  query ($id: ID!) {
    patient(id: $id) {
      ${PATIENT_FIELDS}
    }
  }
`;

const READ_ALL = /* GraphQL */ `
  {
    patients(first: 100) {
      edges {
        node {
          ${PATIENT_FIELDS}
        }
      }
    }
  }
`;

async function readOne(token: string, id: string): Promise<GqlResponse<{ patient: PatientNode }>> {
  return t.gql<{ patient: PatientNode }>(token, READ_ONE, { id });
}

async function readAll(token: string): Promise<PatientNode[]> {
  const r = await t.gql<{ patients: { edges: { node: PatientNode }[] } }>(token, READ_ALL);
  expect(r.errors).toBeUndefined();
  return r.data!.patients.edges.map((e) => e.node);
}

const CREATE = /* GraphQL */ `
  mutation ($input: CreatePatientInput!) {
    createPatient(input: $input) {
      id
      version
    }
  }
`;

const UPDATE_PHONE = /* GraphQL */ `
  mutation ($id: ID!, $v: Int!, $phone: String!) {
    updatePatient(
      id: $id
      expectedVersion: $v
      input: { telecom: [{ system: phone, value: $phone, use: "mobile" }] }
    ) {
      id
      version
    }
  }
`;

async function createPatient(input: object): Promise<{ id: string; version: number }> {
  const r = await t.gql<{ createPatient: { id: string; version: number } }>(await admin(), CREATE, {
    input,
  });
  expect(r.errors).toBeUndefined();
  return r.data!.createPatient;
}

describe('PHI at rest', () => {
  it('leaves no plaintext in patient, patient_version or break_glass_grant', async () => {
    const canary = {
      mrn: 'ENC-CANARY-7741',
      family: 'Zyxwvutsonian',
      given: 'Quillonette',
      birthDate: '1931-02-17',
      line: '4417 Canarywharf Crescent',
      phone: '555-013-9917',
      reason: 'Unconscious arrival, canary reason Marmaduke',
    };
    const created = await createPatient({
      mrn: canary.mrn,
      name: { family: canary.family, given: [canary.given] },
      birthDate: canary.birthDate,
      gender: 'female',
      telecom: [{ system: 'phone', value: canary.phone, use: 'home' }],
      address: [{ line: [canary.line], city: 'Springfield', country: 'US' }],
    });
    // The values really went in: they come back through the gateway.
    const back = await readOne(await admin(), created.id);
    expect(back.errors).toBeUndefined();
    expect(back.data!.patient).toMatchObject({
      mrn: canary.mrn,
      name: { family: canary.family, given: [canary.given] },
      birthDate: canary.birthDate,
      telecom: [{ value: canary.phone }],
      address: [{ line: [canary.line] }],
    });

    // A clinician outside the care team opens emergency access with a distinctive reason.
    const offTeam = await t.token('clinician', { practitionerId: t.demo.otherPractitionerId });
    const glass = await t.gql<{ breakTheGlass: { id: string } }>(
      offTeam,
      /* GraphQL */ `
        mutation ($p: ID!, $reason: String!) {
          breakTheGlass(patientId: $p, reason: $reason) {
            id
          }
        }
      `,
      { p: t.demo.patientId, reason: canary.reason },
    );
    expect(glass.errors).toBeUndefined();
    expect(glass.data!.breakTheGlass.id).toBeTruthy();

    const text = [
      await tableText('patient.patient'),
      await tableText('patient.patient_version'),
      await tableText('patient.break_glass_grant'),
    ].join('\n');
    expect(text).toContain(created.id); // the rows were really read
    const plaintexts = [...Object.values(canary), ...syntheaPlaintexts()];
    expect(plaintexts.length).toBeGreaterThan(30);
    for (const value of plaintexts) expect(text, `plaintext in the tables`).not.toContain(value);

    // Every PHI column holds a ciphertext under the active data key.
    const { version: active } = (
      await t.sql<{ version: number }>('SELECT version FROM patient.data_key WHERE active')
    )[0]!;
    const patients = await t.sql<Record<string, string>>(
      `SELECT ${PATIENT_COLUMNS.join(', ')} FROM patient.patient`,
    );
    const snapshots = await t.sql<{ snapshot: string }>(
      'SELECT snapshot FROM patient.patient_version',
    );
    const reasons = await t.sql<{ reason: string }>('SELECT reason FROM patient.break_glass_grant');
    expect(patients).toHaveLength(14);
    expect(snapshots.length).toBeGreaterThanOrEqual(14);
    expect(reasons).toHaveLength(1);
    const ciphertexts = [
      ...patients.flatMap((r) => PATIENT_COLUMNS.map((c) => r[c]!)),
      ...snapshots.map((r) => r.snapshot),
      ...reasons.map((r) => r.reason),
    ];
    for (const c of ciphertexts) {
      expect(c).toMatch(CIPHERTEXT);
      expect(c.startsWith(`cf1.${active}.`)).toBe(true);
    }
    // A fresh IV for each value: equal plaintexts (e.g. the same gender) never look alike.
    expect(new Set(ciphertexts).size).toBe(ciphertexts.length);
  });
});

describe('a ciphertext moved to another row', () => {
  it('fails that read with DATA_INTEGRITY and leaves every other patient readable', async () => {
    const token = await admin();
    const a = t.demo.patientId;
    const b = t.demo.otherPatientId;
    const [before, nameA, nameB] = await Promise.all([
      t.sql<{ name: string }>('SELECT name FROM patient.patient WHERE id = $1', [b]),
      readOne(token, a),
      readOne(token, b),
    ]);
    const plain = [nameA, nameB].flatMap((r) => {
      const n = r.data!.patient.name;
      return [n.family, ...n.given];
    });

    await t.sql(
      'UPDATE patient.patient SET name = (SELECT name FROM patient.patient WHERE id = $1) WHERE id = $2',
      [a, b],
    );
    try {
      const broken = await readOne(token, b);
      expect(broken.status).toBe(200);
      expect(broken.data?.patient ?? null).toBeNull();
      expect(broken.errors).toHaveLength(1);
      expect(broken.errors![0]!.extensions?.code).toBe('DATA_INTEGRITY');
      expect(broken.errors![0]!.path).toEqual(['patient']);
      const errorText = JSON.stringify(broken.errors);
      for (const value of plain) expect(errorText).not.toContain(value);
      expect(errorText).not.toContain('cf1.');

      // A itself, and every other patient, still reads: the service did not fall over.
      const ids = (await t.sql<{ id: string }>('SELECT id FROM patient.patient ORDER BY id'))
        .map((r) => r.id)
        .filter((id) => id !== b);
      expect(ids.length).toBeGreaterThan(10);
      for (const id of ids) {
        const r = await readOne(token, id);
        expect(r.errors, `patient ${id}`).toBeUndefined();
        expect(r.data!.patient.id).toBe(id);
      }
      expect((await readOne(token, a)).data!.patient.name).toEqual(nameA.data!.patient.name);
    } finally {
      await t.sql('UPDATE patient.patient SET name = $1 WHERE id = $2', [before[0]!.name, b]);
    }
    // Put back where it belongs, the original ciphertext decrypts again.
    const restored = await readOne(token, b);
    expect(restored.errors).toBeUndefined();
    expect(restored.data!.patient.name).toEqual(nameB.data!.patient.name);
  });
});

describe('data-key rotation under load', () => {
  it('re-encrypts everything while concurrent reads and writes all succeed', async () => {
    const token = await admin();
    const writeTarget = await createPatient({
      mrn: 'ENC-ROTATE-0001',
      name: { family: 'Rotationfield', given: ['Kip'] },
      birthDate: '1977-07-07',
      gender: 'male',
    });
    const expected = new Map((await readAll(token)).map((p) => [p.id, p]));
    const { n: rowsBefore } = (
      await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM patient.patient')
    )[0]!;
    expect(expected.size).toBe(rowsBefore);
    const ids = [...expected.keys()];

    const failures: string[] = [];
    // The write target's phone and version move with the writes; everything else stays.
    const comparable = (p: PatientNode) =>
      p.id === writeTarget.id ? { ...p, telecom: null, version: null } : p;
    const check = (p: PatientNode, where: string) => {
      const want = expected.get(p.id);
      if (!want || !isDeepStrictEqual(comparable(p), comparable(want)))
        failures.push(`${where}: patient ${p.id} differs from before`);
    };

    let stopped = false;
    let rotating = false;
    let reads = 0;
    let readsDuringRotation = 0;
    let writesDuringRotation = 0;
    const reader = async (worker: number) => {
      for (let i = worker; !stopped; i++) {
        const during = rotating;
        if (i % 2 === 0) {
          const r = await t.gql<{ patients: { edges: { node: PatientNode }[] } }>(token, READ_ALL);
          if (r.status !== 200 || r.errors || !r.data)
            failures.push(`list: ${r.status} ${JSON.stringify(r.errors)}`);
          else {
            if (r.data.patients.edges.length !== rowsBefore) failures.push('list: count changed');
            r.data.patients.edges.forEach((e) => check(e.node, 'list'));
          }
        } else {
          const id = ids[i % ids.length]!;
          const r = await readOne(token, id);
          if (r.status !== 200 || r.errors || !r.data?.patient)
            failures.push(`read: ${r.status} ${JSON.stringify(r.errors)}`);
          else check(r.data.patient, 'read');
        }
        reads++;
        if (during) readsDuringRotation++;
      }
    };
    let version = writeTarget.version;
    let phone = '';
    const write = async (n: number) => {
      const next = `555-03${String(n).padStart(2, '0')}`;
      const r = await t.gql<{ updatePatient: { version: number } }>(token, UPDATE_PHONE, {
        id: writeTarget.id,
        v: version,
        phone: next,
      });
      if (r.status !== 200 || r.errors || !r.data)
        failures.push(`write: ${r.status} ${JSON.stringify(r.errors)}`);
      else {
        version = r.data.updatePatient.version;
        phone = next;
      }
    };
    let writing = true;
    const writer = async () => {
      for (let n = 0; writing; n++) {
        const during = rotating;
        await write(n);
        if (during) writesDuringRotation++;
      }
    };

    const keys = loadServiceKeys(t.config);
    const orm = await createOrm({
      url: serviceRoleUrl(t.stack.adminUrl, t.config.DB_ROLE_PREFIX, 'patient', keys.dbRoleKey),
      schema: 'patient',
      entities: [],
      migrations: [],
    });
    try {
      const em = orm.em.fork();
      const load = [reader(0), reader(1), writer()];
      await new Promise((r) => setTimeout(r, 300));
      rotating = true;
      // Small batches make the rotation span many transactions, interleaved with the load.
      const rotation = await rotateSchemaKey(em, 'patient', keys.kek, PATIENT_ROTATION, {
        settleMs: 0,
        batchSize: 2,
      }).finally(() => (rotating = false));
      await new Promise((r) => setTimeout(r, 300));
      writing = false;
      stopped = true;
      await Promise.all(load);

      expect(failures).toEqual([]);
      expect(rotation.toVersion).toBe(rotation.fromVersion + 1);
      const updated = Object.fromEntries(rotation.tables.map((tb) => [tb.table, tb.rowsUpdated]));
      // Only the write target may have been rewritten by the API under the new key first.
      expect(updated['patient.patient']).toBeGreaterThanOrEqual(rowsBefore - 1);
      expect(updated['patient.patient_version']).toBeGreaterThanOrEqual(rowsBefore - 1);
      expect(readsDuringRotation).toBeGreaterThan(0);
      expect(writesDuringRotation).toBeGreaterThan(0);
      expect(reads).toBeGreaterThan(readsDuringRotation);

      // The running API encrypts under its cached active key for up to 30 s (Keyring
      // maxAgeMs), so a write it made during the rotation, after the sweep passed that
      // row, may still be under the old key. rotateSchemaKey's settle pass exists for
      // that; with settleMs: 0 we do its job explicitly: refresh the API's keyring so
      // later writes use the new key (and prove it with one more write), then sweep
      // every encrypted column once more, as the settle pass would. (The API usually
      // catches up sooner: decrypting a value under an unknown version reloads its keyring.)
      await t.stack.subgraph('patient').keyring.refresh(t.stack.subgraph('patient').orm.em.fork());
      expect(t.stack.subgraph('patient').keyring.active().version).toBe(rotation.toVersion);
      await write(99);
      const latest = (
        await t.sql<Record<string, string>>(
          `SELECT ${PATIENT_COLUMNS.join(', ')} FROM patient.patient WHERE id = $1`,
          [writeTarget.id],
        )
      )[0]!;
      for (const c of PATIENT_COLUMNS)
        expect(latest[c]!.startsWith(`cf1.${rotation.toVersion}.`)).toBe(true);
      const ring = await Keyring.open(em, 'patient', keys.kek);
      expect(ring.active().version).toBe(rotation.toVersion);
      const cipher = new FieldCipher(ring);
      for (const spec of PATIENT_ROTATION) await rotateColumns(em, cipher, spec);
      expect(failures).toEqual([]);

      const stored = [
        ...(
          await t.sql<Record<string, string>>(
            `SELECT ${PATIENT_COLUMNS.join(', ')} FROM patient.patient`,
          )
        ).flatMap((r) => PATIENT_COLUMNS.map((c) => r[c]!)),
        ...(await t.sql<{ snapshot: string }>('SELECT snapshot FROM patient.patient_version')).map(
          (r) => r.snapshot,
        ),
        ...(await t.sql<{ reason: string }>('SELECT reason FROM patient.break_glass_grant')).map(
          (r) => r.reason,
        ),
      ];
      expect(stored.length).toBeGreaterThan(rowsBefore * PATIENT_COLUMNS.length);
      const stale = stored.filter((c) => !c.startsWith(`cf1.${rotation.toVersion}.`));
      expect(stale).toEqual([]);
    } finally {
      writing = false;
      stopped = true;
      await orm.close();
    }

    // Every patient reads back as before, in the list and one by one.
    const { n: rowsAfter } = (
      await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM patient.patient')
    )[0]!;
    expect(rowsAfter).toBe(rowsBefore);
    const after = await readAll(token);
    expect(after).toHaveLength(rowsBefore);
    after.forEach((p) => check(p, 'after'));
    for (const id of ids) {
      const r = await readOne(token, id);
      expect(r.errors).toBeUndefined();
      check(r.data!.patient, 'after one');
    }
    const target = after.find((p) => p.id === writeTarget.id)!;
    expect(target.version).toBe(version);
    expect(target.telecom).toEqual([{ system: 'phone', value: phone, use: 'mobile' }]);
    expect(failures).toEqual([]);
  });
});
