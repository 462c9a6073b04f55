import { execFile } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { serviceRoleUrl } from '../platform/db/provision.js';
import { devPrincipal } from '../platform/identity/dev-issuer.js';
import type { Principal } from '../platform/identity/principal.js';
import {
  demoOverrides,
  startTestStack,
  type GqlResponse,
  type TestStack,
} from './support/stack.js';

/**
 * The audit log through the whole stack: one entry per PHI access or denial,
 * append-only at the database level, and `audit:verify` (the real CLI)
 * proving it intact or naming the first entry an attacker touched.
 */
const ROOT = path.resolve(import.meta.dirname, '..');

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('audit_log');
});
afterAll(() => t?.stop());

/**
 * A GraphQL request sending a client `x-request-id`: the gateway assigns its own id (answered in
 * `x-request-id`) and records that one, so a client cannot pick the id its accesses are audited under.
 */
async function post<T>(
  token: string,
  query: string,
  variables: object,
  requestId: string,
): Promise<GqlResponse<T>> {
  const res = await fetch(t.stack.gatewayUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-request-id': requestId,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResponse<T>, 'status' | 'headers'>;
  return { status: res.status, headers: res.headers, ...body };
}

interface Payload {
  requestId: string;
  occurredAt: string;
  actor: { sub: string; roles: string[]; clientId: string; patientId?: string };
  patientId: string;
  resourceType: string;
  resourceId: string;
  action: string;
  purpose: string;
  outcome: string;
  ip?: string;
}

/** The audit entries stamped with one request id. */
async function entriesFor(requestId: string): Promise<(Payload & { seq: number })[]> {
  const rows = await t.sql<{ seq: string; payload: string; patient_id: string }>(
    "SELECT seq, payload, patient_id FROM audit.entry WHERE payload::jsonb ->> 'requestId' = $1",
    [requestId],
  );
  return rows.map((r) => {
    const p = JSON.parse(r.payload) as Payload;
    // The indexed column the access log reads agrees with the payload.
    expect(r.patient_id).toBe(p.patientId);
    return { ...p, seq: Number(r.seq) };
  });
}

function actorOf(p: Principal) {
  return { sub: p.sub, roles: p.roles, clientId: p.clientId };
}

const READ = /* GraphQL */ `
  query ($id: ID!) {
    patient(id: $id) {
      id
      version
      name {
        family
      }
    }
  }
`;

const UPDATE = /* GraphQL */ `
  mutation ($id: ID!, $v: Int!) {
    updatePatient(
      id: $id
      expectedVersion: $v
      input: { telecom: [{ system: phone, value: "555-0142", use: "home" }] }
    ) {
      id
      version
    }
  }
`;

describe('one audit entry per PHI access', () => {
  it('records a read, a write and a denial with actor, patient, purpose, outcome and request id', async () => {
    const started = Date.now();
    const o = demoOverrides(t);
    const clinician = devPrincipal('clinician', o.clinician);
    const patient = devPrincipal('patient', o.patient);
    const clinicianToken = await t.token('clinician', o.clinician);
    const patientToken = await t.token('patient', o.patient);

    const read = await post<{ patient: { id: string; version: number } }>(
      clinicianToken,
      READ,
      { id: t.demo.patientId },
      'req-audit-read-0001',
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.patient.id).toBe(t.demo.patientId);
    const readId = read.headers.get('x-request-id')!;
    expect(readId).toMatch(/^[0-9a-f-]{36}$/);

    const write = await post<{ updatePatient: { version: number } }>(
      clinicianToken,
      UPDATE,
      { id: t.demo.patientId, v: read.data!.patient.version },
      'req-audit-write-0001',
    );
    expect(write.errors).toBeUndefined();
    const writeId = write.headers.get('x-request-id')!;
    expect(write.data!.updatePatient.version).toBe(read.data!.patient.version + 1);

    const denied = await post<{ patient: null }>(
      patientToken,
      READ,
      { id: t.demo.otherPatientId },
      'req-audit-deny-0001',
    );
    expect(denied.status).toBe(200);
    expect(denied.data?.patient ?? null).toBeNull();
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const deniedId = denied.headers.get('x-request-id')!;
    // The client's own ids were not used.
    for (const clientId of ['req-audit-read-0001', 'req-audit-write-0001', 'req-audit-deny-0001'])
      expect(await entriesFor(clientId)).toHaveLength(0);

    const expectations: [string, object][] = [
      [
        readId,
        {
          actor: { ...actorOf(clinician), practitionerId: t.demo.practitionerId },
          patientId: t.demo.patientId,
          resourceType: 'Patient',
          resourceId: t.demo.patientId,
          action: 'read',
          purpose: 'TREAT',
          outcome: 'permit',
        },
      ],
      [
        writeId,
        {
          actor: { ...actorOf(clinician), practitionerId: t.demo.practitionerId },
          patientId: t.demo.patientId,
          resourceType: 'Patient',
          resourceId: t.demo.patientId,
          action: 'update',
          purpose: 'TREAT',
          outcome: 'permit',
        },
      ],
      [
        deniedId,
        {
          actor: { ...actorOf(patient), patientId: t.demo.patientId },
          patientId: t.demo.otherPatientId,
          resourceType: 'Patient',
          action: 'read',
          purpose: 'PATRQT',
          outcome: 'deny',
        },
      ],
    ];
    for (const [requestId, expected] of expectations) {
      const entries = await entriesFor(requestId);
      expect(entries, requestId).toHaveLength(1);
      const entry = entries[0]!;
      expect(entry, requestId).toMatchObject({ ...expected, requestId });
      expect(entry.actor.clientId).toBe('carefed-dev-console');
      expect(entry.ip, `${requestId}: client IP`).toEqual(expect.any(String));
      const at = Date.parse(entry.occurredAt);
      expect(at).toBeGreaterThanOrEqual(started - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    }
    // In the order the requests were made.
    const seqs = await Promise.all(
      expectations.map(async ([id]) => (await entriesFor(id))[0]!.seq),
    );
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });
});

describe('append-only audit.entry', () => {
  const CHANGES = [
    ['UPDATE', `UPDATE audit.entry SET payload = '{"forged":true}' WHERE seq = 1`],
    ['DELETE', 'DELETE FROM audit.entry WHERE seq = 1'],
    ['TRUNCATE', 'TRUNCATE audit.entry'],
  ] as const;

  const chain = () =>
    t.sql<{ seq: string; hash: string; payload: string }>(
      'SELECT seq, hash, payload FROM audit.entry ORDER BY seq',
    );

  it('refuses UPDATE, DELETE and TRUNCATE to the patient service role', async () => {
    const before = await chain();
    expect(before.length).toBeGreaterThan(10);
    const url = serviceRoleUrl(
      t.stack.adminUrl,
      t.config.DB_ROLE_PREFIX,
      'patient',
      loadServiceKeys(t.config).dbRoleKey,
    );
    const svc = new pg.Client(url);
    await svc.connect();
    try {
      // The login works and reaches its own schema.
      const { rows } = await svc.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM patient.patient',
      );
      expect(rows[0]!.n).toBe(13);
      for (const [verb, sql] of CHANGES) {
        await expect(svc.query(sql), verb).rejects.toMatchObject({
          code: '42501',
          message: expect.stringMatching(/permission denied/),
        });
      }
    } finally {
      await svc.end();
    }
    expect(await chain()).toEqual(before);
  });

  it('refuses them to the superuser too (append-only triggers)', async () => {
    const before = await chain();
    for (const [verb, sql] of CHANGES) {
      await expect(t.sql(sql), verb).rejects.toMatchObject({
        code: '42501',
        message: `audit.entry is append-only: ${verb} refused`,
      });
    }
    expect(await chain()).toEqual(before);
  });
});

describe('audit:verify', () => {
  interface Row {
    seq: string;
    prev_hash: string;
    hash: string;
    payload: string;
  }
  let admin: pg.Client;
  let original: Row[];
  beforeAll(async () => {
    admin = new pg.Client(t.db.url);
    await admin.connect();
  });
  afterAll(() => admin?.end());

  /** The real CLI, as an operator runs it. */
  function runVerify(): Promise<{ code: number; out: string }> {
    const args = [
      '--import',
      '@swc-node/register/esm-register',
      'scripts/audit-verify.ts',
      '--url',
      t.db.url,
      '--heads',
      t.stack.heads.headsFile,
      '--public-key',
      t.stack.heads.publicKeyFile,
    ];
    return new Promise((resolve) => {
      execFile(process.execPath, args, { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      });
    });
  }

  /** Superuser SQL with triggers skipped (as an attacker with full access would), in one session. */
  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    await admin.query('SET session_replication_role = replica');
    try {
      await admin.query(sql, params);
    } finally {
      await admin.query('SET session_replication_role = origin');
    }
  }

  const readChain = async () =>
    (await admin.query<Row>('SELECT seq, prev_hash, hash, payload FROM audit.entry ORDER BY seq'))
      .rows;

  /** Puts the original rows back, so each tampering is judged on its own. */
  async function restore(): Promise<void> {
    await admin.query('BEGIN');
    try {
      await admin.query('SET LOCAL session_replication_role = replica');
      await admin.query('DELETE FROM audit.entry');
      await admin.query(
        `INSERT INTO audit.entry (seq, prev_hash, hash, payload)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])`,
        [
          original.map((r) => r.seq),
          original.map((r) => r.prev_hash),
          original.map((r) => r.hash),
          original.map((r) => r.payload),
        ],
      );
      await admin.query('COMMIT');
    } catch (err) {
      await admin.query('ROLLBACK');
      throw err;
    }
    expect(await readChain()).toEqual(original);
  }

  const last = () => Number(original[original.length - 1]!.seq);

  it('passes after activity', async () => {
    const token = await t.token('admin');
    for (const id of [t.demo.patientId, t.demo.otherPatientId]) {
      const r = await post(token, READ, { id }, `req-audit-verify-${id.slice(0, 8)}`);
      expect(r.errors).toBeUndefined();
    }
    await t.stack.heads.signNow();
    original = await readChain();
    expect(last()).toBeGreaterThan(15);
    expect(original.map((r) => Number(r.seq))).toEqual(original.map((_r, i) => i + 1));

    const { code, out } = await runVerify();
    expect(out).toContain(`audit chain intact: ${last()} entries, last seq ${last()}`);
    expect(code).toBe(0);
  });

  it('catches one flipped bit in a payload', async () => {
    const seq = 7;
    const { payload } = original[seq - 1]!;
    const i = payload.indexOf('"requestId":"') + '"requestId":"'.length;
    const flipped =
      payload.slice(0, i) + String.fromCharCode(payload.charCodeAt(i) ^ 1) + payload.slice(i + 1);
    expect(flipped).not.toBe(payload);
    await tamper('UPDATE audit.entry SET payload = $1 WHERE seq = $2', [flipped, seq]);
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(`audit chain BROKEN at seq ${seq}: hash mismatch at seq ${seq}`);
      expect(code).toBe(1);
    } finally {
      await restore();
    }
  });

  it('catches a deleted row', async () => {
    const seq = 10;
    await tamper('DELETE FROM audit.entry WHERE seq = $1', [seq]);
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(`audit chain BROKEN at seq ${seq}: gap: seq ${seq} missing`);
      expect(code).toBe(1);
    } finally {
      await restore();
    }
  });

  it('catches a swapped pair', async () => {
    const [a, b] = [4, 11];
    expect(original[a - 1]!.payload).not.toBe(original[b - 1]!.payload);
    await tamper(
      `UPDATE audit.entry x SET payload = y.payload FROM audit.entry y
       WHERE (x.seq, y.seq) IN (($1, $2), ($2, $1))`,
      [a, b],
    );
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(`audit chain BROKEN at seq ${a}: hash mismatch at seq ${a}`);
      expect(code).toBe(1);
    } finally {
      await restore();
    }
  });

  it('catches a truncated tail', async () => {
    const keep = last() - 3;
    await tamper('DELETE FROM audit.entry WHERE seq > $1', [keep]);
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(
        `audit chain BROKEN at seq ${keep + 1}: chain ends at seq ${keep} but a signed head records seq ${last()}`,
      );
      expect(code).toBe(1);
    } finally {
      await restore();
    }
    // Restored, the chain verifies again: each case above was judged on its own.
    const again = await runVerify();
    expect(again.out).toContain('audit chain intact');
    expect(again.code).toBe(0);
  });
});
