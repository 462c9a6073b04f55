import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { canonicalPayload } from './entry.js';
import { auditSchemaSql, grantAuditSql } from './schema-sql.js';
import { createAuditTestDb, sampleEntry, type AuditTestDb } from './testing.js';

describe('audit schema and privileges', () => {
  let t: AuditTestDb;
  let svc: pg.Client;
  const count = async () =>
    Number(
      (await t.admin.query<{ n: string }>('SELECT count(*) AS n FROM audit.entry')).rows[0]!.n,
    );

  beforeAll(async () => {
    t = await createAuditTestDb('audit_schema');
    svc = new pg.Client(t.serviceUrl);
    await svc.connect();
    for (const n of [1, 2, 3])
      await svc.query('INSERT INTO audit.entry (payload) VALUES ($1)', [
        canonicalPayload(sampleEntry(n)),
      ]);
  });
  afterAll(async () => {
    await svc.end();
    await t.drop();
  });

  it('provisions idempotently, and can hand every object to a NOLOGIN owner', async () => {
    const owner = await t.createRole('owner');
    for (const sql of [...auditSchemaSql({ owner }), ...grantAuditSql(t.role)])
      await t.admin.query(sql);
    const { rows } = await t.admin.query<{ owner: string }>(
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'audit'::regnamespace
       UNION SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'audit'::regnamespace`,
    );
    expect(rows.map((r) => r.owner)).toEqual([owner]);
    // Appends still chain when the definer functions run as the owner.
    await svc.query('INSERT INTO audit.entry (payload) VALUES ($1)', [
      canonicalPayload(sampleEntry(4)),
    ]);
    expect(await count()).toBe(4);
    expect(() => auditSchemaSql({ owner: 'x; DROP TABLE y' })).toThrow(TypeError);
  });

  it('denies the service role SELECT, UPDATE, DELETE and TRUNCATE', async () => {
    for (const sql of [
      'SELECT * FROM audit.entry',
      'SELECT * FROM audit.chain_head',
      "UPDATE audit.entry SET payload = '{}'",
      'DELETE FROM audit.entry',
      'TRUNCATE audit.entry',
    ])
      await expect(svc.query(sql), sql).rejects.toMatchObject({ code: '42501' });
  });

  it('refuses UPDATE, DELETE and TRUNCATE even to the owner', async () => {
    for (const sql of [
      "UPDATE audit.entry SET payload = '{}' WHERE seq = 1",
      'DELETE FROM audit.entry WHERE seq = 1',
      'TRUNCATE audit.entry',
    ])
      await expect(t.admin.query(sql), sql).rejects.toThrow(/append-only/);
    expect(await count()).toBe(4);
  });

  it('a temporary table cannot stand in for the log inside the definer functions', async () => {
    const c = new pg.Client(t.serviceUrl);
    await c.connect();
    await c.query('CREATE TEMP TABLE entry (seq bigint, hash text, payload text, patient_id text)');
    await c.query("INSERT INTO entry VALUES (999, 'fake', '{}', 'pat-0')");
    const { rows: head } = await c.query<{ seq: string }>('SELECT seq FROM audit.head()');
    const { rows: log } = await c.query<{ seq: string }>(
      "SELECT seq FROM audit.access_log('pat-0', 10, NULL)",
    );
    await c.end();
    expect(head.map((r) => Number(r.seq))).toEqual([4]);
    expect(log.map((r) => Number(r.seq))).toEqual([3]);
  });
});
