import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { inject } from 'vitest';

import { createTestDatabase } from '../../tests/support/db.js';
import type { AuditEntryInput } from './entry.js';
import { auditSchemaSql, grantAuditSql } from './schema-sql.js';

/** A provisioned audit schema in a fresh database, with a non-superuser service role. */
export interface AuditTestDb {
  /** Superuser URL. */
  url: string;
  /** URL of the service role, which holds only `grantAuditSql` privileges. */
  serviceUrl: string;
  role: string;
  admin: pg.Client;
  /** A MikroORM instance connected as the service role (close it yourself). */
  serviceOrm(): Promise<MikroORM>;
  /** Creates a NOLOGIN role `<role>_<suffix>`, dropped with the database. */
  createRole(suffix: string): Promise<string>;
  /** Runs SQL as the superuser with triggers off: how an attacker with full access edits rows. */
  tamper(sql: string): Promise<void>;
  drop(): Promise<void>;
}

/** Test-only: creates the database, the audit schema and a service role. */
export async function createAuditTestDb(label: string): Promise<AuditTestDb> {
  const db = await createTestDatabase(label);
  const role = `svc_audit_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client(db.url);
  await admin.connect();
  for (const sql of auditSchemaSql()) await admin.query(sql);
  await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'x'`);
  for (const sql of grantAuditSql(role)) await admin.query(sql);
  const u = new URL(db.url);
  u.username = role;
  u.password = 'x';
  const serviceUrl = u.toString();
  const roles = [role];
  return {
    url: db.url,
    serviceUrl,
    role,
    admin,
    serviceOrm: () =>
      MikroORM.init({
        clientUrl: serviceUrl,
        entities: [],
        discovery: { warnWhenNoEntities: false },
        allowGlobalContext: true,
      }),
    createRole: async (suffix) => {
      const extra = `${role}_${suffix}`;
      await admin.query(`CREATE ROLE ${extra} NOLOGIN`);
      roles.unshift(extra);
      return extra;
    },
    tamper: async (sql) => {
      await admin.query("SET session_replication_role = 'replica'");
      try {
        await admin.query(sql);
      } finally {
        await admin.query("SET session_replication_role = 'origin'");
      }
    },
    drop: async () => {
      await admin.end();
      await db.drop();
      // Roles are cluster-wide: remove ours once the database is gone.
      const c = new pg.Client(inject('pgAdminUrl'));
      await c.connect();
      for (const r of roles) await c.query(`DROP ROLE IF EXISTS ${r}`);
      await c.end();
    },
  };
}

/** A plausible audit entry; `n` makes the request id unique. */
export function sampleEntry(n: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    actor: { sub: 'user-clin-1', roles: ['clinician'], clientId: 'web', practitionerId: 'prac-1' },
    patientId: `pat-${n % 3}`,
    resourceType: 'Observation',
    resourceId: `obs-${n}`,
    action: 'read',
    purpose: 'TREAT',
    outcome: 'permit',
    requestId: `req-${n}`,
    ip: '10.0.0.7',
    occurredAt: new Date(Date.UTC(2025, 0, 1, 12, 0, n)),
    ...overrides,
  };
}
