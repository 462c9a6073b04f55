import { randomBytes } from 'node:crypto';
import { Logger, runOnce } from 'graphile-worker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';

import { createTestDatabase, type TestDatabase } from '../../tests/support/db.js';
import { grantEventsSql, installEventBackbone } from './provision.js';

describe('event backbone provisioning', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  const roles: string[] = [];

  const loginRole = async (grant: boolean): Promise<string> => {
    const role = `ev_prov_${randomBytes(4).toString('hex')}`;
    roles.push(role);
    await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER PASSWORD 'pw'`);
    if (grant) for (const sql of grantEventsSql(role)) await admin.query(sql);
    const u = new URL(db.url);
    u.username = role;
    u.password = 'pw';
    return u.toString();
  };

  beforeAll(async () => {
    db = await createTestDatabase('events_provision');
    admin = new pg.Client(db.url);
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await db.drop();
    const c = new pg.Client(inject('pgAdminUrl'));
    await c.connect();
    for (const r of roles) await c.query(`DROP ROLE IF EXISTS ${r}`);
    await c.end();
  });

  it('installs graphile-worker once when several processes start together, and again is a no-op', async () => {
    await Promise.all([1, 2, 3].map(() => installEventBackbone(db.url)));
    await installEventBackbone(db.url);
    const { rows } = await admin.query<{ n: number; top: number }>(
      'SELECT count(*)::int AS n, max(id) AS top FROM graphile_worker.migrations',
    );
    expect(rows[0]).toEqual({ n: 18, top: 18 });
  });

  it('a role without the grants can neither enqueue nor read the queue', async () => {
    const c = new pg.Client(await loginRole(false));
    await c.connect();
    try {
      await expect(c.query("SELECT graphile_worker.add_job('t', '{}')")).rejects.toMatchObject({
        code: '42501',
      });
    } finally {
      await c.end();
    }
  });

  it('gives a plain login role what it needs to enqueue in its transaction and to run a worker', async () => {
    const url = await loginRole(true);
    // Granting twice is harmless (provisioning runs at every start).
    for (const sql of grantEventsSql(roles.at(-1)!)) await admin.query(sql);
    const c = new pg.Client(url);
    await c.connect();
    try {
      const { rows: who } = await c.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
        'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
      );
      expect(who[0]).toEqual({ rolsuper: false, rolbypassrls: false });

      await c.query('BEGIN');
      await c.query("SELECT graphile_worker.add_job('grant_probe', '{\"n\": 1}', job_key => 'k1')");
      await c.query('ROLLBACK');
      await c.query('BEGIN');
      await c.query("SELECT graphile_worker.add_job('grant_probe', '{\"n\": 2}', job_key => 'k2')");
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
    const seen: unknown[] = [];
    await runOnce({
      connectionString: url,
      noHandleSignals: true,
      logger: new Logger(() => () => undefined),
      taskList: { grant_probe: (payload) => void seen.push(payload) },
    });
    expect(seen).toEqual([{ n: 2 }]);
    const { rows } = await admin.query('SELECT * FROM graphile_worker.jobs');
    expect(rows).toEqual([]);
  });

  it('rejects names that are not plain identifiers', () => {
    expect(() => grantEventsSql('x"; DROP TABLE y; --')).toThrow(TypeError);
  });
});
