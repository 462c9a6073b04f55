import type { EntityManager } from '@mikro-orm/postgresql';
import type { CountTable } from '../domain/suppression.js';
import { ageBandSql } from './age-band-sql.js';

const AGE_BAND_AT = (year: string) => ageBandSql(year, 'NULL');

/** A table release's source: distinct patients per (row, column) over the years given. */
export interface TableSpec {
  name: string;
  title: string;
  rowLabel: string;
  columnLabel: string;
  /** SQL of the row and column values per fact (aliases f: fact, s: subject). */
  row: string;
  column: string;
  where?: string;
  /** The fixed row and column values (never read from the data). */
  rows: readonly string[];
  columns: readonly string[];
}

/** Distinct patients per cell of a table spec (cells outside the fixed values are dropped). */
export async function tableCounts(em: EntityManager, spec: TableSpec): Promise<CountTable> {
  const found = await em.execute<{ r: string; c: string; n: number }[]>(
    `SELECT r, c, count(DISTINCT pseudonym)::int AS n FROM (
       SELECT f.pseudonym, (${spec.row})::text AS r, (${spec.column})::text AS c
         FROM fact f JOIN subject s ON s.pseudonym = f.pseudonym
        ${spec.where ? `WHERE ${spec.where}` : ''}) t
      WHERE r IS NOT NULL AND c IS NOT NULL GROUP BY r, c`,
  );
  const at = new Map(found.map((x) => [`${x.r}\u0000${x.c}`, Number(x.n)]));
  return {
    rows: spec.rows,
    columns: spec.columns,
    counts: spec.rows.map((r) => spec.columns.map((c) => at.get(`${r}\u0000${c}`) ?? 0)),
  };
}

/** The fact-year age band in SQL (null: unknown). */
export const FACT_AGE_BAND = AGE_BAND_AT('f.year');

/** One patient as the record-level release sees them, before k-anonymity. */
export interface PersonRow {
  ageBand: string;
  sex: string;
  zip3: string;
  year: number;
  conditionCategories: string[];
  encounters: number;
  admissions: number;
  dispenses: number;
}

/**
 * Every patient with a known age and ZIP3 and a fact up to `refYear`: their
 * age band in `refYear`, sex, ZIP3, the first year they appear, their
 * condition categories, and counts of encounters, admissions and dispenses
 * (top-coded at 50: a very high count is itself identifying). Returns the
 * rows and how many patients were left out for an unknown age or ZIP3.
 */
export async function personRows(
  em: EntityManager,
  refYear: number,
): Promise<{ rows: PersonRow[]; unknown: number }> {
  const found = await em.execute<
    {
      age_band: string | null;
      sex: string;
      zip3: string | null;
      first_year: number;
      categories: string[] | null;
      encounters: number;
      admissions: number;
      dispenses: number;
    }[]
  >(
    `WITH ref AS (SELECT ?::int AS y)
     SELECT ${AGE_BAND_AT('ref.y')} AS age_band, s.sex, s.zip3,
        min(f.year)::int AS first_year,
        array_agg(DISTINCT f.category ORDER BY f.category) FILTER (WHERE f.category IS NOT NULL) AS categories,
        least(50, count(*) FILTER (WHERE f.resource_type = 'Encounter'))::int AS encounters,
        least(50, count(*) FILTER (WHERE f.resource_type = 'Encounter' AND f.class = 'IMP'))::int AS admissions,
        least(50, count(*) FILTER (WHERE f.resource_type = 'MedicationDispense'))::int AS dispenses
       FROM ref, subject s JOIN fact f ON f.pseudonym = s.pseudonym
      WHERE f.year <= ref.y
      GROUP BY s.pseudonym, ref.y
      ORDER BY md5(s.pseudonym)`,
    [refYear],
  );
  const rows: PersonRow[] = [];
  let unknown = 0;
  for (const r of found) {
    if (!r.age_band || !r.zip3) {
      unknown++;
      continue;
    }
    rows.push({
      ageBand: r.age_band,
      sex: r.sex,
      zip3: r.zip3,
      year: Number(r.first_year),
      conditionCategories: r.categories ?? [],
      encounters: Number(r.encounters),
      admissions: Number(r.admissions),
      dispenses: Number(r.dispenses),
    });
  }
  return { rows, unknown };
}

/** The last year the store has facts of (null: empty). */
export async function lastFactYear(em: EntityManager): Promise<number | null> {
  const [r] = await em.execute<{ y: number | null }[]>('SELECT max(year)::int AS y FROM fact');
  return r?.y ?? null;
}
