import type { EntityManager } from '@mikro-orm/postgresql';
import { ageBandSql } from './age-band-sql.js';
import type { CohortFilter, CountQuestion, Dimension } from '../domain/count-question.js';

const AGE_BAND_SQL = ageBandSql('f.year', "'unknown'");

const COLUMN: Record<Dimension, string> = {
  YEAR: 'f.year::text',
  AGE_BAND: AGE_BAND_SQL,
  SEX: 's.sex',
  ZIP3: "coalesce(s.zip3, 'unknown')",
  CONDITION_CATEGORY: "coalesce(f.category, 'none')",
  FACILITY_REGION: "coalesce(f.region, 'unknown')",
};

const inList = (column: string) => `${column} IN (SELECT json_array_elements_text(?::json))`;

/** The WHERE clause of a cohort: every given filter holds for the same fact. */
function where(f: CohortFilter, q: CountQuestion): { sql: string; params: unknown[] } {
  const parts = ['f.year BETWEEN ? AND ?'];
  const params: unknown[] = [q.yearFrom, q.yearTo];
  const add = (values: readonly string[], sql: string) => {
    if (!values.length) return;
    parts.push(sql);
    params.push(JSON.stringify(values));
  };
  add(f.resourceTypes, inList('f.resource_type'));
  add(f.conditionCategories, inList('f.category'));
  add(f.codes, 'f.codes && ARRAY(SELECT json_array_elements_text(?::json))');
  add(f.sexes, inList('s.sex'));
  add(f.ageBands, inList(AGE_BAND_SQL));
  add(f.zip3s, inList('s.zip3'));
  add(f.encounterClasses, inList('f.class'));
  return { sql: parts.join(' AND '), params };
}

/**
 * The true number of distinct patients per cell (key: the cell's values
 * joined by `|`) for a cohort, each patient adding to at most `bound` cells
 * (the rest dropped in an order fixed by their pseudonym, so a question asked
 * twice drops the same ones). Cells with no patient are absent. One statement.
 */
export async function trueCounts(
  em: EntityManager,
  q: CountQuestion,
  filter: CohortFilter,
  bound: number,
): Promise<Map<string, number>> {
  const w = where(filter, q);
  const dims = q.groupBy.map((d, i) => `${COLUMN[d]} AS d${i}`);
  const keyExpr = q.groupBy.length ? q.groupBy.map((_, i) => `d${i}`).join(" || '|' || ") : "''";
  const rows = await em.execute<{ cell: string; n: number }[]>(
    `WITH cells AS (
       SELECT DISTINCT f.pseudonym${dims.length ? ', ' + dims.join(', ') : ''}
         FROM fact f JOIN subject s ON s.pseudonym = f.pseudonym
        WHERE ${w.sql}),
     keyed AS (SELECT pseudonym, ${keyExpr} AS cell FROM cells),
     bounded AS (
       SELECT cell, row_number() OVER (PARTITION BY pseudonym ORDER BY md5(pseudonym || cell)) AS rn
         FROM keyed)
     SELECT cell, count(*)::int AS n FROM bounded WHERE rn <= ? GROUP BY cell`,
    [...w.params, bound],
  );
  return new Map(rows.map((r) => [r.cell, Number(r.n)]));
}
