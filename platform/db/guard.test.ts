import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.js';
import { guardObjects, releaseObjects } from './guard.js';

/**
 * A guarded table refuses its own service everything but reads and inserts;
 * released for migrations, the service may alter it again (a new CHECK), and
 * guarded once more it refuses again. Released before the table exists (a
 * fresh database), nothing fails.
 */
let db: TestDatabase;
const prefix = `g${randomBytes(3).toString('hex')}`;
const service = `${prefix}_svc`;
const guard = `${prefix}_guard`;
const objects = { schema: 'ledger', tables: ['entry'], functions: ['entry_immutable()'] };

/** Runs `sql` as the superuser, or as `role` when given. */
async function as<T>(role: string | null, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    if (role) await c.query(`SET ROLE "${role}"`);
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase('guard_release');
  await as(null, `CREATE ROLE "${service}" NOLOGIN`);
  await as(null, `CREATE SCHEMA ledger AUTHORIZATION "${service}"`);
});
afterAll(async () => {
  await db.drop();
  const c = new pg.Client({ connectionString: db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1') });
  await c.connect();
  await c.query(`DROP ROLE IF EXISTS "${service}"`);
  await c.query(`DROP ROLE IF EXISTS "${guard}"`);
  await c.end();
});

describe('guardObjects and releaseObjects', () => {
  it('release before the objects exist is a no-op', async () => {
    await releaseObjects(db.url, objects, { service });
  });

  it('guard, release for a migration, guard again', async () => {
    await as(
      service,
      `CREATE TABLE ledger.entry (id int PRIMARY KEY, kind text CHECK (kind IN ('a')));
       CREATE FUNCTION ledger.entry_immutable() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'append-only'; END $$;
       CREATE TRIGGER entry_no_update BEFORE UPDATE OR DELETE ON ledger.entry
         FOR EACH ROW EXECUTE FUNCTION ledger.entry_immutable();`,
    );
    await guardObjects(db.url, objects, { owner: guard, service });
    await as(service, "INSERT INTO ledger.entry VALUES (1, 'a')");
    await expect(
      as(service, 'ALTER TABLE ledger.entry DROP CONSTRAINT entry_kind_check'),
    ).rejects.toThrow(/must be owner/);
    await expect(
      as(service, 'ALTER TABLE ledger.entry DISABLE TRIGGER entry_no_update'),
    ).rejects.toThrow(/must be owner/);

    await releaseObjects(db.url, objects, { service });
    await as(
      service,
      `ALTER TABLE ledger.entry DROP CONSTRAINT entry_kind_check;
       ALTER TABLE ledger.entry ADD CONSTRAINT entry_kind_check CHECK (kind IN ('a', 'b'))`,
    );
    await as(service, "INSERT INTO ledger.entry VALUES (2, 'b')");

    await guardObjects(db.url, objects, { owner: guard, service });
    await expect(
      as(service, 'ALTER TABLE ledger.entry DROP CONSTRAINT entry_kind_check'),
    ).rejects.toThrow(/must be owner/);
    await expect(as(service, 'DELETE FROM ledger.entry')).rejects.toThrow(/permission denied/);
    const [owner] = await as<{ owner: string }>(
      null,
      "SELECT relowner::regrole::text AS owner FROM pg_class WHERE oid = 'ledger.entry'::regclass",
    );
    expect(owner!.owner).toBe(guard);
  });
});
