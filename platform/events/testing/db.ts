import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { inject } from 'vitest';

import { createTestDatabase } from '../../../tests/support/db.js';
import { grantEventsSql, installEventBackbone } from '../provision.js';
import { outboxSql } from '../schema-sql.js';

/** A subgraph-like schema owned by a non-superuser login role holding `grantEventsSql`. */
export interface TestService {
  role: string;
  schema: string;
  /** The role's login URL. */
  url: string;
  /** A MikroORM on the role's URL (close it yourself). */
  orm(): Promise<MikroORM>;
}

/** A fresh database with the event backbone, a producer and a consumer service. */
export interface EventsTestDb {
  adminUrl: string;
  admin: pg.Client;
  producer: TestService;
  consumer: TestService;
  /** Rows of `<consumer>.effect`, the table test handlers write to. */
  effects(): Promise<{ event_id: string; task: string }[]>;
  drop(): Promise<void>;
}

/** Creates a login role owning `schema`, granted the events privileges, as provisioning would. */
export async function createTestService(
  admin: pg.Client,
  adminUrl: string,
  schema: string,
  ddl: string[],
): Promise<TestService> {
  const role = `ev_${schema}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await admin.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER PASSWORD '${password}'`);
  await admin.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
  for (const sql of grantEventsSql(role)) await admin.query(sql);
  const u = new URL(adminUrl);
  u.username = role;
  u.password = password;
  const url = u.toString();
  // The subgraph's own migration, run as its role.
  const own = new pg.Client(url);
  await own.connect();
  try {
    for (const sql of [outboxSql(schema), ...ddl]) await own.query(sql);
  } finally {
    await own.end();
  }
  return {
    role,
    schema,
    url,
    orm: () =>
      MikroORM.init({
        clientUrl: url,
        entities: [],
        discovery: { warnWhenNoEntities: false },
        allowGlobalContext: true,
        pool: { min: 0, max: 6 },
      }),
  };
}

/** Test-only: database, graphile-worker schema, and two services. */
export async function createEventsTestDb(label: string): Promise<EventsTestDb> {
  const db = await createTestDatabase(label);
  await installEventBackbone(db.url);
  const admin = new pg.Client(db.url);
  await admin.connect();
  const producer = await createTestService(admin, db.url, 'producer', []);
  const consumer = await createTestService(admin, db.url, 'consumer', [
    // No unique constraint on purpose: a double application would show as two rows.
    'CREATE TABLE consumer.effect (event_id uuid NOT NULL, task text NOT NULL)',
  ]);
  return {
    adminUrl: db.url,
    admin,
    producer,
    consumer,
    effects: async () =>
      (
        await admin.query<{ event_id: string; task: string }>(
          'SELECT event_id, task FROM consumer.effect ORDER BY event_id',
        )
      ).rows,
    drop: async () => {
      await admin.end();
      await db.drop();
      // Roles are cluster-wide: remove ours once the database (and its grants) is gone.
      const c = new pg.Client(inject('pgAdminUrl'));
      await c.connect();
      for (const r of [producer.role, consumer.role]) await c.query(`DROP ROLE IF EXISTS ${r}`);
      await c.end();
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
