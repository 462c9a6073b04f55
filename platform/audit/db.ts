import type { EntityManager } from '@mikro-orm/postgresql';

/** Anything node-postgres shaped: `pg.Client`, `pg.Pool`, `pg.PoolClient`. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A connection the audit functions accept: a MikroORM EntityManager or a node-postgres client. */
export type AuditDb = EntityManager | PgQueryable;

function isEntityManager(db: AuditDb): db is EntityManager {
  return typeof (db as Partial<EntityManager>).execute === 'function';
}

/**
 * Runs `sql` written with `?` placeholders on either kind of connection.
 * The caller asserts the row shape; the SQL here is the audit module's own.
 */
export async function queryRows<T extends object>(
  db: AuditDb,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (isEntityManager(db)) return db.execute<T[]>(sql, params);
  let n = 0;
  const text = sql.replace(/\?/g, () => `$${++n}`);
  const { rows } = await db.query(text, params);
  return rows as T[];
}
