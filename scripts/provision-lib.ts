import { auditSchemaSql, grantAuditSql } from '../platform/audit/index.js';
import { grantEventsSql, installEventBackbone } from '../platform/events/provision.js';
import type { Config } from '../platform/config/index.js';
import type { ServiceKeys } from '../platform/crypto/service-keys.js';
import { guardObjects, releaseObjects } from '../platform/db/guard.js';
import {
  explicitRolePasswords,
  provisionDatabase,
  roleName,
  type ServiceRole,
} from '../platform/db/provision.js';
import { SUBGRAPHS } from '../subgraphs/registry.js';

/** The provisioned role of one schema; throws if provisioning did not make it. */
export function roleOf(roles: Record<string, ServiceRole>, schema: string): ServiceRole {
  const role = roles[schema];
  if (!role) throw new Error(`No database role was provisioned for schema ${schema}`);
  return role;
}

/**
 * The audit schema, owned by a role that cannot log in: its SECURITY DEFINER
 * functions then run with that role's rights, not a superuser's, and no
 * login can alter the log's triggers.
 */
function auditSharedSql(owner: string): string[] {
  return [
    `DO $$ BEGIN CREATE ROLE "${owner}" NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    ...auditSchemaSql({ owner }),
  ];
}

/**
 * Creates the event queue (graphile-worker's schema), the audit schema and
 * every subgraph's schema and role, with each role's grants on the shared
 * ones (idempotent).
 */
export async function provisionAll(
  config: Config,
  adminUrl: string,
  keys: ServiceKeys,
): Promise<Record<string, ServiceRole>> {
  await installEventBackbone(adminUrl);
  return provisionDatabase(adminUrl, {
    schemas: SUBGRAPHS.map((s) => s.schema),
    rolePrefix: config.DB_ROLE_PREFIX,
    secret: keys.dbRoleKey,
    passwords: explicitRolePasswords(
      config,
      SUBGRAPHS.map((s) => s.schema),
    ),
    hooks: {
      sharedSql: auditSharedSql(`${config.DB_ROLE_PREFIX}_audit`),
      grantSql: (role) => [...grantAuditSql(role), ...grantEventsSql(role)],
    },
  });
}

/**
 * Hands each subgraph's guarded objects (the billing ledger) to a role that
 * cannot log in, leaving the subgraph's own role read and append only. Run as
 * the superuser once the subgraphs' migrations have run (idempotent).
 */
export async function guardAll(
  config: Pick<Config, 'DB_ROLE_PREFIX'>,
  adminUrl: string,
): Promise<void> {
  for (const s of SUBGRAPHS)
    if (s.guarded)
      await guardObjects(
        adminUrl,
        { schema: s.schema, ...s.guarded },
        {
          owner: roleName(config.DB_ROLE_PREFIX, `${s.schema}_guard`),
          service: roleName(config.DB_ROLE_PREFIX, s.schema),
        },
      );
}

/**
 * Before the migrations: hands each subgraph's guarded objects back to its
 * service role, so a migration that alters a guarded table (a new ledger
 * cause type) runs on a database guarded by an earlier start; `guardAll`
 * guards them again once migrated.
 */
export async function releaseAll(
  config: Pick<Config, 'DB_ROLE_PREFIX'>,
  adminUrl: string,
): Promise<void> {
  for (const s of SUBGRAPHS)
    if (s.guarded)
      await releaseObjects(
        adminUrl,
        { schema: s.schema, ...s.guarded },
        { service: roleName(config.DB_ROLE_PREFIX, s.schema) },
      );
}
