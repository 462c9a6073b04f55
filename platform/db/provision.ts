import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config/index.js';

/** What provisioning needs from the platform's audit module: DDL run as the owner. */
export interface ProvisionHooks {
  /** Statements creating shared schemas (the audit log) once, as the owner. */
  sharedSql: string[];
  /** Statements granting a service role what it may do outside its own schema. */
  grantSql: (role: string) => string[];
}

export interface ServiceRole {
  schema: string;
  role: string;
  /** Login URL for this role on the same server and database. */
  url: string;
}

/** Role name for a subgraph schema: `<prefix>_<schema>`, lower-case identifiers only. */
export function roleName(prefix: string, schema: string): string {
  const name = `${prefix}_${schema}`.replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid role name ${name}`);
  return name;
}

/** A role's password, derived from a secret so every process computes the same one. */
export function rolePassword(secret: Buffer, role: string): string {
  return createHmac('sha256', secret).update(`db-role:${role}`).digest('base64url');
}

/** The login URL of a subgraph's role on the same server and database as `adminUrl`. */
export function serviceRoleUrl(
  adminUrl: string,
  prefix: string,
  schema: string,
  secret: Buffer,
  password?: string,
): string {
  const u = new URL(adminUrl);
  u.username = roleName(prefix, schema);
  u.password = password ?? rolePassword(secret, u.username);
  return u.toString();
}

const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const quoteLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * Creates, as the database owner, one schema and one login role per subgraph.
 * Each role owns its schema and can touch nothing else but what `grantSql`
 * gives it (insert into the audit log). Idempotent; safe to run at every start.
 */
export async function provisionDatabase(
  adminUrl: string,
  opts: {
    schemas: string[];
    rolePrefix: string;
    secret: Buffer;
    hooks: ProvisionHooks;
    /** Explicit passwords by schema (secrets handed to containers); others are derived from `secret`. */
    passwords?: Record<string, string>;
  },
): Promise<Record<string, ServiceRole>> {
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    // One provisioner at a time per server (roles are cluster-wide).
    await client.query('SELECT pg_advisory_lock(727001)');
    await client.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
    // Care routing's nearby search: great-circle distances and their GiST index (not PostGIS).
    await client.query('CREATE EXTENSION IF NOT EXISTS cube');
    await client.query('CREATE EXTENSION IF NOT EXISTS earthdistance');
    for (const sql of opts.hooks.sharedSql) await client.query(sql);
    const out: Record<string, ServiceRole> = {};
    for (const schema of opts.schemas) {
      const role = roleName(opts.rolePrefix, schema);
      const password = opts.passwords?.[schema] ?? rolePassword(opts.secret, role);
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      await client.query(
        `${verb} ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${quoteLiteral(password)}`,
      );
      await client.query(
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)} AUTHORIZATION ${quoteIdent(role)}`,
      );
      await client.query(`REVOKE ALL ON SCHEMA ${quoteIdent(schema)} FROM PUBLIC`);
      await client.query(`REVOKE CREATE ON SCHEMA public FROM ${quoteIdent(role)}`);
      await client.query(`ALTER ROLE ${quoteIdent(role)} SET search_path = ${quoteIdent(schema)}`);
      for (const sql of opts.hooks.grantSql(role)) await client.query(sql);
      out[schema] = {
        schema,
        role,
        url: serviceRoleUrl(adminUrl, opts.rolePrefix, schema, opts.secret, password),
      };
    }
    return out;
  } finally {
    await client.query('SELECT pg_advisory_unlock(727001)').catch(() => undefined);
    await client.end();
  }
}

/** Reads a password file (a container secret): its first line, trimmed. */
function readPasswordFile(file: string, source: string): string {
  const text = fs.readFileSync(file, 'utf8').split('\n')[0]!.trim();
  if (!text) throw new Error(`${source} (${file}) is empty`);
  return text;
}

/**
 * Explicit role passwords by schema: `DB_ROLE_PASSWORD_<SCHEMA>`, or the
 * schema's `<schema>-db-password` file under CAREFED_SECRETS_DIR. Schemas
 * with neither get a password derived from the role key.
 */
export function explicitRolePasswords(
  config: Pick<Config, 'dbRolePasswords' | 'CAREFED_SECRETS_DIR'>,
  schemas: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = { ...config.dbRolePasswords };
  for (const schema of schemas) {
    const file =
      config.CAREFED_SECRETS_DIR && path.join(config.CAREFED_SECRETS_DIR, `${schema}-db-password`);
    if (file && fs.existsSync(file))
      out[schema] = readPasswordFile(file, `CAREFED_SECRETS_DIR ${schema}-db-password`);
  }
  return out;
}

/**
 * A subgraph's database login: SUBGRAPH_DATABASE_URL, with the password from
 * SUBGRAPH_DATABASE_PASSWORD_FILE when that is set (so no password sits in
 * the environment), else its role on DATABASE_URL's server with the derived
 * password. Undefined when neither URL is set.
 */
export function subgraphLoginUrl(
  config: Pick<
    Config,
    | 'SUBGRAPH_DATABASE_URL'
    | 'SUBGRAPH_DATABASE_PASSWORD_FILE'
    | 'DATABASE_URL'
    | 'DB_ROLE_PREFIX'
    | 'dbRolePasswords'
  >,
  schema: string,
  dbRoleKey: () => Buffer,
): string | undefined {
  if (config.SUBGRAPH_DATABASE_URL) {
    if (!config.SUBGRAPH_DATABASE_PASSWORD_FILE) return config.SUBGRAPH_DATABASE_URL;
    const u = new URL(config.SUBGRAPH_DATABASE_URL);
    u.password = encodeURIComponent(
      readPasswordFile(config.SUBGRAPH_DATABASE_PASSWORD_FILE, 'SUBGRAPH_DATABASE_PASSWORD_FILE'),
    );
    return u.toString();
  }
  if (!config.DATABASE_URL) return undefined;
  const explicit = config.dbRolePasswords[schema];
  return serviceRoleUrl(
    config.DATABASE_URL,
    config.DB_ROLE_PREFIX,
    schema,
    explicit ? Buffer.alloc(0) : dbRoleKey(),
    explicit,
  );
}
