import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase } from '../../tests/support/db.js';
import { auditSchemaSql, grantAuditSql } from '../../platform/audit/index.js';
import { provisionDatabase } from '../../platform/db/provision.js';
import { grantEventsSql, installEventBackbone } from '../../platform/events/provision.js';
import { openSubgraphStore, type SubgraphStore } from '../../platform/federation/subgraph-store.js';
import type { Principal } from '../../platform/identity/principal.js';
import { entities } from './entities/index.js';
import { migrations } from './migrations/index.js';
import type { MigrationEntry } from '../../platform/db/orm.js';

/** A fresh database with the billing schema migrated, opened as billing's own role. */
export interface BillingTestStore extends SubgraphStore {
  /** Login URL of the billing role (what the subgraph itself connects as). */
  roleUrl: string;
  /** Superuser URL of the test database. */
  adminUrl: string;
  close(): Promise<void>;
}

export interface BillingTestStoreOptions {
  /**
   * Install the event queue (graphile-worker) and the audit log and give the
   * role its grants on both, as production provisioning does, so a test can
   * publish events and run billing's consumers (which audit their effects)
   * with `startEventWorker`. Default false.
   */
  events?: boolean;
  /** Apply only these migrations (an upgrade test applies the rest itself). Default all. */
  migrations?: MigrationEntry[];
  /** The key-encryption key (default a fresh one), for a test that reopens the store. */
  kek?: Buffer;
}

/**
 * Provisions the `billing` schema and a role that owns only it (audit and
 * event-queue grants only with `events`), then migrates through MikroORM
 * exactly as a subgraph start would.
 */
export async function openBillingTestStore(
  label: string,
  opts: BillingTestStoreOptions = {},
): Promise<BillingTestStore> {
  const db = await createTestDatabase(label);
  if (opts.events) await installEventBackbone(db.url);
  const prefix = `b${randomBytes(4).toString('hex')}`;
  const auditOwner = `${prefix}_audit`;
  const roles = await provisionDatabase(db.url, {
    schemas: ['billing'],
    rolePrefix: prefix,
    secret: randomBytes(32),
    hooks: {
      sharedSql: opts.events
        ? [`CREATE ROLE "${auditOwner}" NOLOGIN`, ...auditSchemaSql({ owner: auditOwner })]
        : [],
      grantSql: (role) => (opts.events ? [...grantAuditSql(role), ...grantEventsSql(role)] : []),
    },
  });
  const roleUrl = roles.billing?.url;
  if (!roleUrl) throw new Error('billing role was not provisioned');
  const store = await openSubgraphStore({
    url: roleUrl,
    schema: 'billing',
    entities,
    migrations: opts.migrations ?? migrations,
    kek: opts.kek ?? randomBytes(32),
  });
  return {
    ...store,
    roleUrl,
    adminUrl: db.url,
    close: async () => {
      await store.orm.close();
      await db.drop();
      // Roles are cluster-wide: drop this run's role once its database is gone.
      const c = new pg.Client(db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'));
      await c.connect();
      await c.query(`DROP ROLE IF EXISTS "${prefix}_billing"`);
      await c.query(`DROP ROLE IF EXISTS "${auditOwner}"`);
      await c.end();
    },
  };
}

/** A billing clerk, as store tests take payments (test support). */
export const testClerk = (sub = 'billing-clerk-1'): Principal => ({
  sub,
  roles: ['billing'],
  scopes: [],
  clientId: 'test',
  purposeOfUse: 'HPAYMT',
});
