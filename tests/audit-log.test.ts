import { execFile } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchHeadHash, headOfRow, type BatchRow } from '../platform/audit/batch-head.js';
import { leafHash, merkleRoot } from '../platform/audit/merkle.js';
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

/** Waits for the stack's sealer (every AUDIT_SEAL_INTERVAL_MS) to seal every queued entry. */
async function untilSealed(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await t.sql<{ n: string }>('SELECT count(*) AS n FROM audit.intake');
    if (Number(row!.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${row!.n} audit entries were never sealed`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
    // The stack's sealer seals each into a batch, under the leaf hash of its seq and payload.
    await untilSealed();
    const sealed = await t.sql<{ seq: string; payload: string; leaf: string }>(
      `SELECT e.seq, e.payload, s.leaf FROM audit.entry e JOIN audit.seal s ON s.seq = e.seq
       WHERE e.seq = ANY($1::bigint[]) ORDER BY e.seq`,
      [seqs],
    );
    expect(sealed.map((r) => Number(r.seq))).toEqual(seqs);
    for (const r of sealed) expect(r.leaf).toBe(leafHash(Number(r.seq), r.payload));
  });
});

/** Every row of the log's tables: entries, their seals, the batches, and the queue. */
interface Snapshot {
  entries: { seq: string; logged_at: Date; payload: string }[];
  seals: { seq: string; batch: string; idx: number; leaf: string }[];
  batches: BatchRow[];
  pending: { seq: string; logged_at: Date }[];
}

async function snapshot(): Promise<Snapshot> {
  const q = async <R extends pg.QueryResultRow>(sql: string) => (await admin().query<R>(sql)).rows;
  return {
    entries: await q('SELECT seq, logged_at, payload FROM audit.entry ORDER BY seq'),
    seals: await q('SELECT seq, batch, idx, leaf FROM audit.seal ORDER BY seq'),
    batches: await q(
      'SELECT batch, month, size, root, prev, sealed_at, head_hash, jws FROM audit.batch ORDER BY batch',
    ),
    pending: await q('SELECT seq, logged_at FROM audit.intake ORDER BY seq'),
  };
}

let adminClient: pg.Client | undefined;
const admin = () => adminClient!;
beforeAll(async () => {
  adminClient = new pg.Client(t.db.url);
  await adminClient.connect();
});
afterAll(() => adminClient?.end());

describe('append-only audit log', () => {
  const CHANGES = [
    ['UPDATE', `UPDATE audit.sealed SET payload = '{"forged":true}' WHERE seq = 1`],
    ['DELETE', 'DELETE FROM audit.sealed WHERE seq = 1'],
    ['TRUNCATE', 'TRUNCATE audit.sealed'],
  ] as const;
  const SEALED_CHANGES = [
    ['UPDATE', 'batch', `UPDATE audit.batch SET root = repeat('0', 64) WHERE batch = 1`],
    ['DELETE', 'batch', 'DELETE FROM audit.batch WHERE batch = 1'],
    ['UPDATE', 'seal', `UPDATE audit.seal SET leaf = repeat('0', 64) WHERE seq = 1`],
    ['DELETE', 'seal', 'DELETE FROM audit.seal WHERE seq = 1'],
    ['TRUNCATE', 'seal', 'TRUNCATE audit.seal'],
  ] as const;

  it('refuses UPDATE, DELETE and TRUNCATE to the patient service role', async () => {
    await untilSealed();
    const before = await snapshot();
    expect(before.entries.length).toBeGreaterThan(10);
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
      for (const [verb, sql] of [
        ...CHANGES,
        ...SEALED_CHANGES.map(([v, table, q]) => [`${v} ${table}`, q] as const),
        ['DELETE intake', 'DELETE FROM audit.intake'],
      ]) {
        await expect(svc.query(sql), verb).rejects.toMatchObject({
          code: '42501',
          message: expect.stringMatching(/permission denied/),
        });
      }
    } finally {
      await svc.end();
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses them to the superuser too (append-only triggers)', async () => {
    await untilSealed();
    const before = await snapshot();
    const [{ partition }] = (await t.sql<{ partition: string }>(
      'SELECT tableoid::regclass::text AS partition FROM audit.sealed WHERE seq = 1',
    )) as [{ partition: string }];
    // A row's UPDATE or DELETE is refused by the monthly partition that holds it.
    expect(partition).toMatch(/^audit\.sealed_(\d{4}_\d{2}|default)$/);
    const table = (verb: string) => (verb === 'TRUNCATE' ? 'sealed' : partition.slice(6));
    for (const [verb, sql] of CHANGES) {
      await expect(t.sql(sql), verb).rejects.toMatchObject({
        code: '42501',
        message: `${table(verb)} is append-only: ${verb} refused`,
      });
    }
    for (const [verb, name, sql] of SEALED_CHANGES) {
      await expect(t.sql(sql), sql).rejects.toMatchObject({
        code: '42501',
        message: `${name} is append-only: ${verb} refused`,
      });
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('audit:verify', () => {
  let original: Snapshot;

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
    await admin().query('SET session_replication_role = replica');
    try {
      await admin().query(sql, params);
    } finally {
      await admin().query('SET session_replication_role = origin');
    }
  }

  /** Puts the original rows back, so each tampering is judged on its own. */
  async function restore(): Promise<void> {
    const db = admin();
    await db.query('BEGIN');
    try {
      await db.query('SET LOCAL session_replication_role = replica');
      await db.query(
        'DELETE FROM audit.seal; DELETE FROM audit.batch; DELETE FROM audit.intake; DELETE FROM audit.sealed',
      );
      const o = original;
      await db.query(
        `INSERT INTO audit.sealed (seq, logged_at, payload)
         SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::text[])`,
        [
          o.entries.map((r) => r.seq),
          o.entries.map((r) => r.logged_at),
          o.entries.map((r) => r.payload),
        ],
      );
      await db.query(
        `INSERT INTO audit.batch (batch, month, size, root, prev, sealed_at, head_hash, jws)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[], $5::text[],
           $6::text[], $7::text[], $8::text[])`,
        (['batch', 'month', 'size', 'root', 'prev', 'sealed_at', 'head_hash', 'jws'] as const).map(
          (k) => o.batches.map((b) => b[k]),
        ),
      );
      await db.query(
        `INSERT INTO audit.seal (seq, batch, idx, leaf)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[], $4::text[])`,
        (['seq', 'batch', 'idx', 'leaf'] as const).map((k) => o.seals.map((s) => s[k])),
      );
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK');
      throw err;
    }
    expect(await snapshot()).toEqual(original);
  }

  const entry = (seq: number) => original.entries.find((e) => Number(e.seq) === seq)!;
  const batchOf = (seq: number) => Number(original.seals.find((s) => Number(s.seq) === seq)!.batch);
  const lastBatch = () => original.batches.length;

  it('passes after activity', async () => {
    const token = await t.token('admin');
    for (const id of [t.demo.patientId, t.demo.otherPatientId]) {
      const r = await post(token, READ, { id }, `req-audit-verify-${id.slice(0, 8)}`);
      expect(r.errors).toBeUndefined();
    }
    // Seals what is queued, then signs the newest batch's head.
    await t.stack.heads.signNow();
    original = await snapshot();
    const n = original.entries.length;
    expect(n).toBeGreaterThan(15);
    expect(lastBatch()).toBeGreaterThanOrEqual(2);
    // Every entry sealed exactly once, in batches numbered from 1 without a gap.
    expect(original.pending).toEqual([]);
    expect(original.seals.map((s) => s.seq)).toEqual(original.entries.map((e) => e.seq));
    expect(original.batches.map((b) => Number(b.batch))).toEqual(
      original.batches.map((_b, i) => i + 1),
    );

    const { code, out } = await runVerify();
    expect(out).toContain(
      `audit log intact: ${n} sealed entries in ${lastBatch()} signed batches, 0 waiting to be sealed`,
    );
    expect(code).toBe(0);
  });

  it('catches one flipped bit in a payload', async () => {
    const seq = 7;
    const { payload } = entry(seq);
    const i = payload.indexOf('"requestId":"') + '"requestId":"'.length;
    const flipped =
      payload.slice(0, i) + String.fromCharCode(payload.charCodeAt(i) ^ 1) + payload.slice(i + 1);
    expect(flipped).not.toBe(payload);
    await tamper('UPDATE audit.sealed SET payload = $1 WHERE seq = $2', [flipped, seq]);
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(`audit log BROKEN at seq ${seq}: hash mismatch at seq ${seq}`);
      expect(code).toBe(1);
    } finally {
      await restore();
    }
  });

  it('catches a deleted row', async () => {
    const seq = 10;
    await tamper('DELETE FROM audit.sealed WHERE seq = $1', [seq]);
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(
        `audit log BROKEN at seq ${seq}: entry seq ${seq} (batch ${batchOf(seq)}) is missing`,
      );
      expect(code).toBe(1);
    } finally {
      await restore();
    }
  });

  it('catches a swapped pair', async () => {
    const [a, b] = [4, 11];
    expect(entry(a).payload).not.toBe(entry(b).payload);
    await tamper(
      `UPDATE audit.sealed x SET payload = y.payload FROM audit.sealed y
       WHERE (x.seq, y.seq) IN (($1, $2), ($2, $1))`,
      [a, b],
    );
    // The verifier reads batches in order, each leaf by leaf: the first of the two it meets.
    const pos = (seq: number) => {
      const s = original.seals.find((x) => Number(x.seq) === seq)!;
      return Number(s.batch) * 1e6 + s.idx;
    };
    const first = pos(a) < pos(b) ? a : b;
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(`audit log BROKEN at seq ${first}: hash mismatch at seq ${first}`);
      expect(code).toBe(1);
    } finally {
      await restore();
    }
  });

  it('catches an edited entry whose seal was recomputed, at its batch root', async () => {
    const seq = 5;
    const forged = entry(seq).payload.replace(/^\{/, '{"forged":true,');
    await tamper('UPDATE audit.sealed SET payload = $1 WHERE seq = $2', [forged, seq]);
    await tamper('UPDATE audit.seal SET leaf = $1 WHERE seq = $2', [leafHash(seq, forged), seq]);
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(`audit log BROKEN: batch ${batchOf(seq)} root mismatch`);
      expect(code).toBe(1);
    } finally {
      await restore();
    }
  });

  it('catches a newest batch rebuilt around an edited entry without the signing key', async () => {
    const last = original.batches[original.batches.length - 1]!;
    const seals = original.seals.filter((s) => s.batch === last.batch);
    const seq = Number(seals[0]!.seq);
    const forged = entry(seq).payload.replace(/^\{/, '{"forged":true,');
    const leaves = seals.map((s) => (Number(s.seq) === seq ? leafHash(seq, forged) : s.leaf));
    const root = merkleRoot(leaves);
    const headHash = batchHeadHash({ ...headOfRow(last), root });
    await tamper('UPDATE audit.sealed SET payload = $1 WHERE seq = $2', [forged, seq]);
    await tamper('UPDATE audit.seal SET leaf = $1 WHERE seq = $2', [leafHash(seq, forged), seq]);
    await tamper('UPDATE audit.batch SET root = $1, head_hash = $2 WHERE batch = $3', [
      root,
      headHash,
      last.batch,
    ]);
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(`audit log BROKEN: batch ${last.batch} signature does not match`);
      expect(code).toBe(1);
    } finally {
      await restore();
    }
  });

  it('catches a truncated tail', async () => {
    const keep = lastBatch() - 1;
    await tamper(
      `DELETE FROM audit.sealed e USING audit.seal s WHERE s.seq = e.seq AND s.batch > $1`,
      [keep],
    );
    await tamper('DELETE FROM audit.seal WHERE batch > $1', [keep]);
    await tamper('DELETE FROM audit.batch WHERE batch > $1', [keep]);
    try {
      const { code, out } = await runVerify();
      expect(out).toContain(
        `audit log BROKEN: the log ends at batch ${keep} but a signed head records batch ${lastBatch()}`,
      );
      expect(code).toBe(1);
    } finally {
      await restore();
    }
    // Restored, the log verifies again: each case above was judged on its own.
    const again = await runVerify();
    expect(again.out).toContain('audit log intact');
    expect(again.code).toBe(0);
  });
});
