import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * One part of a combined statement: a query that becomes a CTE (`?`
 * placeholders, bound in order). `rows: true` when it returns rows the caller
 * wants back (a SELECT, or a data-modifying query with RETURNING); a
 * data-modifying query without RETURNING runs all the same, unreferenced.
 */
export interface SqlPart {
  sql: string;
  params: readonly unknown[];
  rows?: boolean;
}

/**
 * Parts collected during a write and sent as one statement of data-modifying
 * CTEs: one round trip, one snapshot, all or nothing. Parts cannot see one
 * another's effects (PostgreSQL runs them on one snapshot), so a part may not
 * read what another writes, except through an earlier part's RETURNING by
 * name (`name` from `add`).
 */
export class StatementBatch {
  private readonly parts: { name: string; part: SqlPart }[] = [];

  /** Adds a part; returns its CTE name, which later parts may select from. */
  add(part: SqlPart): string {
    const name = `p${this.parts.length}`;
    this.parts.push({ name, part });
    return name;
  }

  get size(): number {
    return this.parts.length;
  }

  /**
   * Sends every part in one statement (none when empty) and returns each
   * row-returning part's rows by name.
   */
  async run(em: EntityManager): Promise<Map<string, Record<string, unknown>[]>> {
    const out = new Map<string, Record<string, unknown>[]>();
    if (!this.parts.length) return out;
    const ctes = this.parts.map(({ name, part }) => `${name} AS (${part.sql})`).join(',\n');
    const returned = this.parts.filter((p) => p.part.rows);
    // A SELECT part runs only when referenced: every row-returning part is read back.
    const select = returned.length
      ? returned
          .map(({ name }) => `(SELECT coalesce(json_agg(${name}), '[]') FROM ${name}) AS ${name}`)
          .join(', ')
      : '1 AS done';
    const [row] = await em.execute<Record<string, unknown>[]>(
      `WITH ${ctes}\nSELECT ${select}`,
      this.parts.flatMap(({ part }) => part.params),
    );
    for (const { name } of returned) {
      const v = row?.[name];
      out.set(name, (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>[]);
    }
    return out;
  }
}
