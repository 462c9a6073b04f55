import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { canonicalPayload } from './entry.js';
import { generateAuditSigningKey } from './heads.js';
import { auditSchemaSql, grantAuditSql } from './schema-sql.js';
import { sealPending } from './sealer.js';
import { createAuditTestDb, sampleEntry, type AuditTestDb } from './testing.js';
import { verifyAuditChain } from './verify.js';

/** This month's partition of audit.sealed, `sealed_YYYY_MM`. */
const thisMonth = () => `sealed_${new Date().toISOString().slice(0, 7).replace('-', '_')}`;

describe('audit schema and privileges', () => {
  let t: AuditTestDb;
  let svc: pg.Client;
  let orm: MikroORM;
  let key: KeyObject;
  const count = async (table = 'audit.entry') =>
    Number((await t.admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
  const append = (n: number) =>
    svc.query('INSERT INTO audit.intake (payload) VALUES ($1)', [canonicalPayload(sampleEntry(n))]);
  const seal = () => sealPending(orm.em.fork(), { key });

  beforeAll(async () => {
    t = await createAuditTestDb('audit_schema');
    svc = new pg.Client(t.serviceUrl);
    await svc.connect();
    orm = await t.serviceOrm();
    key = createPrivateKey({
      key: (await generateAuditSigningKey()) as Record<string, unknown>,
      format: 'jwk',
    });
    for (const n of [1, 2, 3]) await append(n);
    expect(await seal()).toMatchObject({ batches: 1, entries: 3 });
  });
  afterAll(async () => {
    await svc.end();
    await orm.close();
    await t.drop();
  });

  it('provisions idempotently, and can hand every object to a NOLOGIN owner', async () => {
    const owner = await t.createRole('owner');
    for (const sql of [...auditSchemaSql({ owner }), ...grantAuditSql(t.role)])
      await t.admin.query(sql);
    const owners = async () =>
      (
        await t.admin.query<{ owner: string }>(
          `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'audit'::regnamespace
           UNION SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'audit'::regnamespace
           UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'audit'`,
        )
      ).rows.map((r) => r.owner);
    expect(await owners()).toEqual([owner]);
    // Entries landed in this month's partition, created ahead at provisioning.
    expect(await count(`audit.${thisMonth()}`)).toBe(3);
    expect(await count('audit.sealed_default')).toBe(0);
    // Appends are still queued, and sealed, when the definer functions run as the owner.
    await append(4);
    expect(await count()).toBe(4);
    expect(await count('audit.intake')).toBe(1);
    expect(await seal()).toMatchObject({ batches: 1, entries: 1 });
    expect(await count('audit.intake')).toBe(0);
    expect(await verifyAuditChain(t.admin)).toMatchObject({ ok: true, entries: 4, batches: 2 });
    // Partitions the sealer creates later (through the owner's definer function) are the owner's.
    const created = await svc.query<{ n: number }>('SELECT audit.ensure_partitions(6) AS n');
    expect(created.rows[0]!.n).toBe(3);
    expect(await owners()).toEqual([owner]);
    expect((await svc.query('SELECT audit.ensure_partitions(6) AS n')).rows[0]).toEqual({ n: 0 });
    expect(() => auditSchemaSql({ owner: 'x; DROP TABLE y' })).toThrow(TypeError);
  });

  it('denies the service role reading, changing or removing anything in the log', async () => {
    const partition = `audit.${thisMonth()}`;
    for (const sql of [
      'SELECT * FROM audit.entry',
      `SELECT * FROM ${partition}`,
      'SELECT * FROM audit.sealed',
      'SELECT * FROM audit.sealed_default',
      'SELECT * FROM audit.intake',
      "UPDATE audit.sealed SET payload = '{}'",
      `UPDATE ${partition} SET payload = '{}'`,
      "UPDATE audit.intake SET payload = '{}'",
      'DELETE FROM audit.sealed',
      `DELETE FROM ${partition}`,
      'DELETE FROM audit.intake',
      'TRUNCATE audit.sealed',
      `TRUNCATE ${partition}`,
      'TRUNCATE audit.intake',
      // Only into the intake, and only the payload.
      `INSERT INTO ${partition} (seq, logged_at, payload) VALUES (999, now(), '{}')`,
      "INSERT INTO audit.sealed (seq, logged_at, payload) VALUES (999, now(), '{}')",
      "INSERT INTO audit.intake (seq, payload) OVERRIDING SYSTEM VALUE VALUES (999, '{}')",
      "INSERT INTO audit.intake (logged_at, payload) VALUES ('2001-01-01', '{}')",
      'SELECT * FROM audit.batch',
      "UPDATE audit.batch SET root = 'x'",
      'DELETE FROM audit.batch',
      'SELECT * FROM audit.seal',
      "UPDATE audit.seal SET leaf = 'x'",
      'DELETE FROM audit.seal',
      'SELECT * FROM audit.archive',
      "INSERT INTO audit.archive (month, first_batch, last_batch, entries, file_sha256) VALUES ('2000-01', 1, 1, 1, 'x')",
      // Functions not granted: the trigger functions and dropping a month.
      "SELECT audit.drop_month('2000-01')",
      'SELECT audit.reject_change()',
    ])
      await expect(svc.query(sql), sql).rejects.toMatchObject({ code: '42501' });
    // audit.entry is a read-only view of both: appends go to the intake.
    await expect(svc.query("INSERT INTO audit.entry (payload) VALUES ('{}')")).rejects.toThrow(
      /cannot insert into view|permission denied/,
    );
    expect(await count()).toBe(4);
    expect(await count('audit.intake')).toBe(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of entries, batches and seals even to a superuser', async () => {
    const partition = thisMonth();
    // A row's UPDATE or DELETE is refused by the partition holding it.
    const refused = (table: string, op: string) =>
      new RegExp(`^${table} is append-only: ${op} refused$`);
    const cases: [string, RegExp][] = [
      ["UPDATE audit.sealed SET payload = '{}' WHERE seq = 1", refused(partition, 'UPDATE')],
      ['DELETE FROM audit.sealed WHERE seq = 1', refused(partition, 'DELETE')],
      ['TRUNCATE audit.sealed', refused('sealed', 'TRUNCATE')],
      ['TRUNCATE audit.intake', refused('intake', 'TRUNCATE')],
      [`UPDATE audit.${partition} SET payload = '{}' WHERE seq = 1`, refused(partition, 'UPDATE')],
      [`DELETE FROM audit.${partition}`, refused(partition, 'DELETE')],
      [`TRUNCATE audit.${partition}`, refused(partition, 'TRUNCATE')],
      ['TRUNCATE audit.sealed_default', refused('sealed_default', 'TRUNCATE')],
      ["UPDATE audit.batch SET root = 'x' WHERE batch = 1", refused('batch', 'UPDATE')],
      ['DELETE FROM audit.batch WHERE batch = 2', refused('batch', 'DELETE')],
      ['TRUNCATE audit.seal, audit.batch', refused('(seal|batch)', 'TRUNCATE')],
      ["UPDATE audit.seal SET leaf = 'x' WHERE seq = 1", refused('seal', 'UPDATE')],
      ['DELETE FROM audit.seal WHERE seq = 1', refused('seal', 'DELETE')],
    ];
    for (const [sql, message] of cases)
      await expect(t.admin.query(sql), sql).rejects.toMatchObject({ code: '42501', message });
    // A row in the default partition (as a month without its own partition would leave).
    await t.tamper(
      "INSERT INTO audit.sealed_default (seq, logged_at, payload) VALUES (900, '2001-01-01', '{}')",
    );
    try {
      for (const op of ['UPDATE', 'DELETE'] as const) {
        const sql =
          op === 'UPDATE'
            ? 'UPDATE audit.sealed SET payload = \'{"x":1}\' WHERE seq = 900'
            : 'DELETE FROM audit.sealed WHERE seq = 900';
        await expect(t.admin.query(sql), sql).rejects.toThrow(refused('sealed_default', op));
      }
    } finally {
      await t.tamper('DELETE FROM audit.sealed WHERE seq = 900');
    }
    expect(await count()).toBe(4);
    expect(await count('audit.seal')).toBe(4);
    expect(await count('audit.batch')).toBe(2);
    expect(await verifyAuditChain(t.admin)).toMatchObject({ ok: true, entries: 4 });
  });

  it('temporary tables cannot stand in for the log inside the definer functions', async () => {
    const c = new pg.Client(t.serviceUrl);
    await c.connect();
    try {
      await c.query(
        'CREATE TEMP TABLE sealed (seq bigint, logged_at timestamptz, payload text, patient_id text)',
      );
      await c.query("INSERT INTO sealed VALUES (999, now(), '{}', 'pat-0')");
      await c.query('CREATE TEMP TABLE intake (seq bigint, logged_at timestamptz, payload text)');
      await c.query(
        'INSERT INTO intake SELECT seq, logged_at, \'{"patientId":"pat-0"}\' FROM sealed',
      );
      await c.query('CREATE TEMP TABLE seal (seq bigint, batch bigint, idx integer, leaf text)');
      await c.query("INSERT INTO seal VALUES (999, 99, 0, 'fake')");
      await c.query(
        `CREATE TEMP TABLE batch (batch bigint, month text, size integer, root text, prev text,
          sealed_at text, head_hash text, jws text)`,
      );
      await c.query("INSERT INTO batch VALUES (99, '2000-01', 1, 'r', 'p', 's', 'fake', 'j')");
      const { rows: head } = await c.query<{ seq: string }>('SELECT seq FROM audit.head()');
      const { rows: log } = await c.query<{ seq: string; hash: string | null }>(
        "SELECT seq, hash FROM audit.access_log('pat-0', 10, NULL)",
      );
      const { rows: unsealed } = await c.query('SELECT seq FROM audit.unsealed(10)');
      const { rows: proof } = await c.query("SELECT batch FROM audit.proof_material(999, 'pat-0')");
      expect(head.map((r) => Number(r.seq))).toEqual([2]);
      expect(log.map((r) => Number(r.seq))).toEqual([3]);
      expect(log[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(unsealed).toEqual([]);
      expect(proof).toEqual([]);
    } finally {
      await c.end();
    }
  });
});
