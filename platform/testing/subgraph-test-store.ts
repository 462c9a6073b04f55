import { randomBytes } from 'node:crypto';
import type { EntityClass } from '@mikro-orm/core';
import pg from 'pg';
import { createTestDatabase } from '../../tests/support/db.js';
import { auditSchemaSql, grantAuditSql } from '../audit/index.js';
import type { MigrationEntry } from '../db/orm.js';
import { provisionDatabase } from '../db/provision.js';
import { grantEventsSql, installEventBackbone } from '../events/provision.js';
import { openSubgraphStore, type SubgraphStore } from '../federation/subgraph-store.js';

/** A fresh database with one subgraph's schema migrated, opened as that subgraph's own role. */
export interface SubgraphTestStore extends SubgraphStore {
  /** Login URL of the subgraph's role (what the subgraph itself connects as). */
  roleUrl: string;
  /** Superuser URL of the test database. */
  adminUrl: string;
  close(): Promise<void>;
}

export interface SubgraphTestStoreOptions {
  /** The subgraph's schema (`billing`, `pharmacy`…). */
  schema: string;
  entities: EntityClass<object>[];
  migrations: MigrationEntry[];
  /**
   * Install the event queue (graphile-worker) and the audit log and give the
   * role its grants on both, as production provisioning does, so a test can
   * publish events and run consumers (which audit their effects) with
   * `startEventWorker`. Default false.
   */
  events?: boolean;
  /** The key-encryption key (default a fresh one), for a test that reopens the store. */
  kek?: Buffer;
}

/**
 * Provisions one subgraph's schema and a role that owns only it (audit and
 * event-queue grants only with `events`), then migrates through MikroORM
 * exactly as a subgraph start would. `label` names the test database.
 */
export async function openSubgraphTestStore(
  label: string,
  opts: SubgraphTestStoreOptions,
): Promise<SubgraphTestStore> {
  const db = await createTestDatabase(label);
  if (opts.events) await installEventBackbone(db.url);
  const prefix = `s${randomBytes(4).toString('hex')}`;
  const auditOwner = `${prefix}_audit`;
  const roles = await provisionDatabase(db.url, {
    schemas: [opts.schema],
    rolePrefix: prefix,
    secret: randomBytes(32),
    hooks: {
      sharedSql: opts.events
        ? [`CREATE ROLE "${auditOwner}" NOLOGIN`, ...auditSchemaSql({ owner: auditOwner })]
        : [],
      grantSql: (role) => (opts.events ? [...grantAuditSql(role), ...grantEventsSql(role)] : []),
    },
  });
  const roleUrl = roles[opts.schema]?.url;
  if (!roleUrl) throw new Error(`${opts.schema} role was not provisioned`);
  const store = await openSubgraphStore({
    url: roleUrl,
    schema: opts.schema,
    entities: opts.entities,
    migrations: opts.migrations,
    kek: opts.kek ?? randomBytes(32),
  });
  return {
    ...store,
    roleUrl,
    adminUrl: db.url,
    close: async () => {
      await store.orm.close();
      await db.drop();
      // Roles are cluster-wide: drop this run's roles once its database is gone.
      const c = new pg.Client(db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'));
      await c.connect();
      await c.query(`DROP ROLE IF EXISTS "${prefix}_${opts.schema}"`);
      await c.query(`DROP ROLE IF EXISTS "${auditOwner}"`);
      await c.end();
    },
  };
}
