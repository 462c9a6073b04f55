import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CONDITION_CATEGORIES } from '../domain/codes.js';
import { describeGeneralisation, kAnonymise } from '../domain/k-anonymity.js';
import {
  recordsCsv,
  recordsNdjson,
  tablesCsv,
  tablesNdjson,
  type NamedTable,
} from '../domain/release-files.js';
import { AGE_BANDS } from '../domain/safe-harbor.js';
import { DEFAULT_THRESHOLD, suppressTable } from '../domain/suppression.js';
import {
  FACT_AGE_BAND,
  lastFactYear,
  personRows,
  tableCounts,
  type TableSpec,
} from './release-sources.js';

/** The smallest equivalence class a record-level release may hold. */
export const RELEASE_K = 11;

export type ReleaseKind = 'tables' | 'records';

export interface ReleaseRow {
  id: string;
  kind: ReleaseKind;
  version: number;
  title: string;
  createdAt: Date;
  method: string;
  notes: string;
  rowCount: number;
}

const years = (last: number) => Array.from({ length: 10 }, (_, i) => String(last - 9 + i));

/** The fixed tables of a table release, over the ten years to `last`. */
function tableSpecs(last: number): TableSpec[] {
  const ys = years(last);
  const inYears = `f.year BETWEEN ${last - 9} AND ${last}`;
  return [
    {
      name: 'patients-by-year-age',
      title: 'Patients with any recorded care, by year and age band in that year',
      rowLabel: 'year',
      columnLabel: 'age band',
      row: 'f.year',
      column: FACT_AGE_BAND,
      where: inYears,
      rows: ys,
      columns: AGE_BANDS,
    },
    {
      name: 'patients-by-year-sex',
      title: 'Patients with any recorded care, by year and sex',
      rowLabel: 'year',
      columnLabel: 'sex',
      row: 'f.year',
      column: 's.sex',
      where: inYears,
      rows: ys,
      columns: ['female', 'male', 'other', 'unknown'],
    },
    {
      name: 'patients-by-year-condition',
      title: 'Patients with a condition recorded, by year and ICD-10-CM chapter',
      rowLabel: 'year',
      columnLabel: 'condition category',
      row: 'f.year',
      column: 'f.category',
      where: `${inYears} AND f.category IS NOT NULL`,
      rows: ys,
      columns: CONDITION_CATEGORIES,
    },
    {
      name: 'admissions-patients-by-year-age',
      title: 'Patients admitted (inpatient encounters), by year and age band',
      rowLabel: 'year',
      columnLabel: 'age band',
      row: 'f.year',
      column: FACT_AGE_BAND,
      where: `${inYears} AND f.resource_type = 'Encounter' AND f.class = 'IMP'`,
      rows: ys,
      columns: AGE_BANDS,
    },
  ];
}

const SAFE_HARBOR =
  'De-identified under HIPAA Safe Harbor (45 CFR 164.514(b)(2)) at ingestion: no names, addresses below the ZIP3, telecoms, identifiers, device, vehicle or biometric data, URLs or IPs are ever received; dates are years; ages over 89 are 90+ (and such a patient has no year of birth); ZIP3 prefixes of 20,000 people or fewer (036, 059, 063, 102, 203, 556, 692, 790, 821, 823, 830, 831, 878, 879, 884, 890, 893) are 000; codes only from ICD-10-CM, SNOMED CT, LOINC, RxNorm, CVX and HL7 ActCode, never free text. Patients who opted out of research are absent.';

interface Built {
  title: string;
  method: Record<string, unknown>;
  notes: string;
  rowCount: number;
  csv: string;
  ndjson: string;
}

async function buildTables(em: EntityManager, version: number, last: number): Promise<Built> {
  const tables: NamedTable[] = [];
  for (const spec of tableSpecs(last)) {
    const counts = await tableCounts(em, spec);
    tables.push({ ...spec, table: suppressTable(counts, DEFAULT_THRESHOLD) });
  }
  const suppressed = tables.reduce(
    (n, t) => n + t.table.cells.flat().filter((c) => c.suppressed).length,
    0,
  );
  const title = `Carefed count tables, version ${version} (${last - 9}–${last})`;
  return {
    title,
    method: {
      kind: 'tables',
      threshold: DEFAULT_THRESHOLD,
      years: [last - 9, last],
      tables: tables.map((t) => t.name),
      suppressedCells: suppressed,
    },
    rowCount: tables.reduce((n, t) => n + t.table.rows.length * t.table.columns.length, 0),
    csv: tablesCsv(tables),
    ndjson: tablesNdjson(tables),
    notes: [
      `# ${title}`,
      '',
      'Counts of distinct patients. Every published count is 0 or at least 11; smaller counts are withheld (`suppressed`), and further cells or totals are withheld beside them (complementary suppression) so that no withheld count can be worked out from the others and the totals: every withheld entry could be one more or one less in another table agreeing with everything published. Totals below 11 are withheld too.',
      '',
      `Tables: ${tables.map((t) => `\`${t.name}\` (${t.title})`).join('; ')}.`,
      `Withheld cells: ${suppressed}.`,
      '',
      `Age bands are the age in the year counted. ${SAFE_HARBOR}`,
      '',
      'Files: CSV (`table,row,column,count,status`, TOTAL rows and columns) and NDJSON (one object per table, withheld entries null).',
    ].join('\n'),
  };
}

async function buildRecords(em: EntityManager, version: number, last: number): Promise<Built> {
  const { rows, unknown } = await personRows(em, last);
  const released = kAnonymise(rows, { k: RELEASE_K, maxSuppression: 0.05 });
  const title = `Carefed person-level records, version ${version} (to ${last})`;
  const generalisation = describeGeneralisation(released.levels);
  return {
    title,
    method: {
      kind: 'records',
      k: RELEASE_K,
      quasiIdentifiers: ['age band', 'sex', 'ZIP3', 'first year'],
      levels: released.levels,
      generalisation,
      candidates: rows.length,
      suppressedRecords: released.suppressed,
      unknownAgeOrZip: unknown,
      classes: released.classes,
      smallestClass: released.smallestClass,
      referenceYear: last,
    },
    rowCount: released.records.length,
    csv: recordsCsv(released.records),
    ndjson: recordsNdjson(released.records),
    notes: [
      `# ${title}`,
      '',
      `One row per patient with a recorded fact up to ${last}: age band in ${last}, sex, ZIP3, the period of the first year they appear, their condition categories (ICD-10-CM chapters) and counts of encounters, admissions and dispenses (50 or more shown as 50).`,
      '',
      `k-anonymous with k = ${RELEASE_K} over the quasi-identifiers (age band, sex, ZIP3, period): every combination of them is shared by at least ${RELEASE_K} rows (smallest: ${released.smallestClass}). Made by generalising (${generalisation}), choosing the least generalisation that drops at most 5% of rows, then leaving out the ${released.suppressed} rows whose group was still smaller than ${RELEASE_K}. ${unknown} patients with no known age or ZIP3 are not included. Rows carry no identifier and are in no meaningful order; the same patient cannot be linked across releases.`,
      '',
      SAFE_HARBOR,
      '',
      'Files: CSV (columns `age_band,sex,zip3,period,condition_categories,encounters,admissions,dispenses`; categories `;`-separated) and de-identified FHIR R4 NDJSON (a Patient per row, id `r<n>` local to this release, labelled ANONYED, with the age band, period and counts as extensions; a Condition per category).',
    ].join('\n'),
  };
}

/**
 * Builds and stores the next version of a release from the store as it
 * stands: count tables with small-cell suppression, or k-anonymous
 * person-level records. Refuses (null) when the store holds no facts.
 */
export async function publishRelease(
  em: EntityManager,
  kind: ReleaseKind,
  createdBy: string,
  now: Date,
): Promise<ReleaseRow | null> {
  const last = await lastFactYear(em);
  if (last === null) return null;
  // One publisher at a time per kind: versions follow each other.
  await em.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [`opendata.release.${kind}`]);
  const [v] = await em.execute<{ next: number }[]>(
    'SELECT coalesce(max(version), 0)::int + 1 AS next FROM release WHERE kind = ?',
    [kind],
  );
  const version = Number(v!.next);
  const built =
    kind === 'tables'
      ? await buildTables(em, version, last)
      : await buildRecords(em, version, last);
  const id = randomUUID();
  await em.execute(
    `INSERT INTO release (id, kind, version, title, created_at, created_by, method, notes,
        row_count, csv, ndjson) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)`,
    [
      id,
      kind,
      version,
      built.title,
      now.toISOString(),
      createdBy,
      JSON.stringify(built.method),
      built.notes,
      built.rowCount,
      built.csv,
      built.ndjson,
    ],
  );
  return {
    id,
    kind,
    version,
    title: built.title,
    createdAt: now,
    method: JSON.stringify(built.method),
    notes: built.notes,
    rowCount: built.rowCount,
  };
}

const META = `id, kind, version, title, created_at, method::text AS method, notes, row_count`;
type MetaRow = {
  id: string;
  kind: ReleaseKind;
  version: number;
  title: string;
  created_at: Date;
  method: string;
  notes: string;
  row_count: number;
};
const toRelease = (r: MetaRow): ReleaseRow => ({
  id: r.id,
  kind: r.kind,
  version: Number(r.version),
  title: r.title,
  createdAt: new Date(r.created_at),
  method: r.method,
  notes: r.notes,
  rowCount: Number(r.row_count),
});

/** Releases, newest first (of one kind when given). */
export async function listReleases(em: EntityManager, kind?: ReleaseKind): Promise<ReleaseRow[]> {
  const rows = await em.execute<MetaRow[]>(
    `SELECT ${META} FROM release ${kind ? 'WHERE kind = ?' : ''} ORDER BY created_at DESC, version DESC LIMIT 100`,
    kind ? [kind] : [],
  );
  return rows.map(toRelease);
}

/** One release's metadata by id (null: none). */
export async function releaseById(em: EntityManager, id: string): Promise<ReleaseRow | null> {
  const [r] = await em.execute<MetaRow[]>(`SELECT ${META} FROM release WHERE id = ?`, [id]);
  return r ? toRelease(r) : null;
}

/** A release's two files. */
export interface ReleaseFiles {
  csv: string;
  ndjson: string;
}

/** The files of releases by id, in one statement. */
export async function releaseFiles(
  em: EntityManager,
  ids: readonly string[],
): Promise<Map<string, ReleaseFiles>> {
  const rows = await em.execute<{ id: string; csv: string; ndjson: string }[]>(
    'SELECT id, csv, ndjson FROM release WHERE id IN (SELECT json_array_elements_text(?::json)::uuid)',
    [JSON.stringify([...new Set(ids)])],
  );
  return new Map(rows.map((r) => [r.id, { csv: r.csv, ndjson: r.ndjson }]));
}
