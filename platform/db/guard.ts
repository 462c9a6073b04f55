import pg from 'pg';

/** Objects of one schema that its own service role must not be able to alter. */
export interface GuardedObjects {
  schema: string;
  /** Tables the service may read and insert into, but neither alter, update, delete nor truncate. */
  tables: readonly string[];
  /** Functions (with their argument lists, e.g. `ledger_guard()`) the tables' triggers run. */
  functions: readonly string[];
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const FUNCTION = /^([a-z_][a-z0-9_]{0,62})\(\)$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new TypeError(`Not a plain identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Hands `objects` (and their schema) to `owner`, a role that cannot log in,
 * and leaves the schema's service role SELECT, INSERT and REFERENCES on the
 * tables, and USAGE and CREATE on the schema. The
 * service then cannot drop or disable their triggers, replace the trigger
 * functions, or update, delete or truncate rows: only a superuser can, as for
 * the audit schema. Run as a superuser after the schema's migrations; before
 * them, `releaseObjects` hands the objects back so that a migration may alter
 * a guarded table. Idempotent.
 */
export async function guardObjects(
  adminUrl: string,
  objects: GuardedObjects,
  roles: { owner: string; service: string },
): Promise<void> {
  const schema = ident(objects.schema);
  const owner = ident(roles.owner);
  const service = ident(roles.service);
  const sql = [
    `DO $$ BEGIN CREATE ROLE ${owner} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    // A schema's owner may drop anything in it: the schema passes to the guard too, and the
    // service keeps creating (and owning) its other tables. Foreign-key checks against a
    // guarded table run as its owner, which therefore needs the schema.
    `ALTER SCHEMA ${schema} OWNER TO ${owner}`,
    `GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${service}`,
    ...objects.tables.flatMap((t) => [
      `ALTER TABLE ${schema}.${ident(t)} OWNER TO ${owner}`,
      `REVOKE ALL ON ${schema}.${ident(t)} FROM ${service}`,
      `GRANT SELECT, INSERT, REFERENCES ON ${schema}.${ident(t)} TO ${service}`,
    ]),
    ...objects.functions.map((f) => {
      const m = FUNCTION.exec(f);
      if (!m) throw new TypeError(`Not a function without arguments: ${f}`);
      return `ALTER FUNCTION ${schema}.${ident(m[1]!)}() OWNER TO ${owner}`;
    }),
  ];
  await inOneTransaction(adminUrl, sql);
}

/**
 * Hands guarded objects back to the schema's service role for its migrations
 * (`guardObjects` guards them again afterwards): what a superuser running
 * the migrations would otherwise have to do by hand. Objects not created yet
 * (a fresh database) are skipped. Run as a superuser; idempotent.
 */
export async function releaseObjects(
  adminUrl: string,
  objects: GuardedObjects,
  roles: { service: string },
): Promise<void> {
  const schema = ident(objects.schema);
  const service = ident(roles.service);
  await inOneTransaction(adminUrl, [
    `ALTER SCHEMA ${schema} OWNER TO ${service}`,
    ...objects.tables.map((t) => `ALTER TABLE IF EXISTS ${schema}.${ident(t)} OWNER TO ${service}`),
    ...objects.functions.map((f) => {
      const m = FUNCTION.exec(f);
      if (!m) throw new TypeError(`Not a function without arguments: ${f}`);
      const fn = `${schema}.${ident(m[1]!)}()`;
      return `DO $$ BEGIN IF to_regprocedure('${fn.replaceAll("'", "''")}') IS NOT NULL THEN
        ALTER FUNCTION ${fn} OWNER TO ${service}; END IF; END $$`;
    }),
  ]);
}

async function inOneTransaction(adminUrl: string, sql: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const statement of sql) await client.query(statement);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
