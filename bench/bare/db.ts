import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { FieldCipher, Keyring } from '../../platform/crypto/index.js';

/** A pool of the bare baseline's own login (role `bench_bare`), sized like a service's. */
export function barePool(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 10 });
}

/**
 * The same field cipher Carefed decrypts with, over one schema's wrapped data
 * keys. Keyring only runs `execute` (a SELECT of the key table) to load them,
 * so a two-line adapter over `pg` stands in for MikroORM's EntityManager.
 */
export async function schemaCipher(
  pool: pg.Pool,
  schema: string,
  kek: Buffer,
): Promise<FieldCipher> {
  const adapter = {
    execute: async (sql: string): Promise<unknown[]> =>
      (await pool.query<pg.QueryResultRow>(sql)).rows,
  };
  // The adapter has only what Keyring.open/refresh call; the cast is local to this bench helper.
  const ring = await Keyring.open(adapter as unknown as EntityManager, schema, kek);
  return new FieldCipher(ring);
}

/** Decrypts one JSON-encoded column value, bound to its table, column and row as Carefed wrote it. */
export function decryptJson<T>(
  cipher: FieldCipher,
  table: string,
  column: string,
  rowId: string,
  value: string,
): T {
  const plain = cipher.decryptSync(value, { table, column, rowId });
  if (plain === undefined) throw new Error(`${table}.${column}: data key not loaded`);
  return JSON.parse(plain) as T;
}
