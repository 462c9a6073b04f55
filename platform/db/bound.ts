import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs one statement with its parameters sent apart from the text (the
 * extended protocol), on `em`'s transaction when it has one. `em.execute`
 * formats every parameter into the SQL text first, character by character:
 * for a bulk write whose parameter is megabytes of JSON that costs more CPU
 * (and garbage) than the rest of the write. Use it for large parameters;
 * `?` placeholders as with `em.execute`. Still counted as a statement
 * (platform/db/orm.ts `onStatement`).
 */
export async function executeBound<R = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<R[]> {
  const knex = (em.getTransactionContext() ?? em.getConnection().getKnex()) as unknown as {
    raw: (sql: string, bindings: readonly unknown[]) => Promise<{ rows: R[] }>;
  };
  const res = await knex.raw(sql, params);
  // Counted like every statement (platform/db/orm.ts `onStatement`), its parameters left out.
  const log: (line: string) => void = em.config.get('logger');
  log(`[query] ${sql} [bound parameters]`);
  return res.rows;
}
