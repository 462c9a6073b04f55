import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../platform/config/index.js';
import { loadServiceKeys } from '../platform/crypto/service-keys.js';
import { openPatientStore } from '../subgraphs/patient/server.js';
import { provisionAll, roleOf } from '../scripts/provision-lib.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';

/** Replicas starting at once on a fresh database: migrations run once, both start. */
let db: TestDatabase;
let config: Config;
beforeAll(async () => {
  db = await createTestDatabase('migrations');
  config = loadConfig({
    DATABASE_URL: db.url,
    DATA_DIR: `.data/migrations-${randomBytes(3).toString('hex')}`,
    DB_ROLE_PREFIX: `m${randomBytes(4).toString('hex')}`,
  });
});
afterAll(async () => {
  await db.drop();
  fs.rmSync(config.dataDir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('run once when three replicas start together, and provisioning is idempotent', async () => {
    const keys = loadServiceKeys(config);
    await provisionAll(config, db.url, keys);
    const roles = await provisionAll(config, db.url, keys);
    const url = roleOf(roles, 'patient').url;
    const stores = await Promise.all(
      [1, 2, 3].map(() => openPatientStore({ config, keys, databaseUrl: url })),
    );
    await Promise.all(stores.map((s) => s.orm.close()));
    const c = new pg.Client(db.url);
    await c.connect();
    const applied = await c.query<{ name: string }>(
      'select name from patient.mikro_orm_migrations',
    );
    const keysRows = await c.query('select version from patient.data_key');
    const owner = await c.query<{ owner: string }>(
      "select nspowner::regrole::text owner from pg_namespace where nspname = 'patient'",
    );
    await c.end();
    expect(applied.rows.map((r) => r.name)).toEqual([
      'Migration20261126000000Init',
      'Migration20261126110000Outbox',
      'Migration20261204110000RegistrationReview',
    ]);
    expect(keysRows.rowCount).toBe(1);
    expect(owner.rows[0]?.owner).toBe(`${config.DB_ROLE_PREFIX}_patient`);
  });
});
