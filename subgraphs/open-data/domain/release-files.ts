import { stringify } from 'csv-stringify/sync';
import type { GeneralisedRecord } from './k-anonymity.js';
import type { SuppressedTable } from './suppression.js';

/** A table release's table: its name and labels with the suppressed table. */
export interface NamedTable {
  name: string;
  title: string;
  rowLabel: string;
  columnLabel: string;
  table: SuppressedTable;
}

/**
 * The CSV of count tables (RFC 4180, one line per cell and total):
 * `table,row,column,count,status`, where a suppressed entry has an empty
 * count and status `suppressed` (why is not said: the reason itself would
 * tell a small cell from its complement).
 */
export function tablesCsv(tables: readonly NamedTable[]): string {
  const lines: (string | number)[][] = [['table', 'row', 'column', 'count', 'status']];
  const put = (t: string, r: string, c: string, v: number | null) =>
    lines.push([t, r, c, v ?? '', v === null ? 'suppressed' : 'released']);
  for (const { name, table } of tables) {
    table.rows.forEach((r, i) => {
      table.columns.forEach((c, j) => {
        const cell = table.cells[i]![j]!;
        put(name, r, c, cell.suppressed ? null : cell.value);
      });
      put(name, r, 'TOTAL', table.rowTotals[i]!);
    });
    table.columns.forEach((c, j) => put(name, 'TOTAL', c, table.columnTotals[j]!));
    put(name, 'TOTAL', 'TOTAL', table.total);
  }
  return stringify(lines);
}

/** The NDJSON of count tables: one JSON object per table, suppressed entries null. */
export function tablesNdjson(tables: readonly NamedTable[]): string {
  return tables
    .map(({ name, title, rowLabel, columnLabel, table }) =>
      JSON.stringify({
        table: name,
        title,
        rowLabel,
        columnLabel,
        rows: table.rows,
        columns: table.columns,
        counts: table.cells.map((row) => row.map((c) => (c.suppressed ? null : c.value))),
        rowTotals: table.rowTotals,
        columnTotals: table.columnTotals,
        total: table.total,
        threshold: table.threshold,
      }),
    )
    .map((l) => `${l}\n`)
    .join('');
}

/** What a released person row carries beside its generalised quasi-identifiers. */
export interface PersonFacts {
  conditionCategories: string[];
  encounters: number;
  admissions: number;
  dispenses: number;
}

/** The record-level CSV columns; the first four are the quasi-identifiers. */
export const RECORD_COLUMNS = [
  'age_band',
  'sex',
  'zip3',
  'period',
  'condition_categories',
  'encounters',
  'admissions',
  'dispenses',
] as const;
export const RECORD_QI_COLUMNS = ['age_band', 'sex', 'zip3', 'period'] as const;

type Released = GeneralisedRecord<
  PersonFacts & { ageBand: string; sex: string; zip3: string; year: number }
>;

/** Record-level rows as CSV (no row id: rows cannot be linked across releases). */
export function recordsCsv(records: readonly Released[]): string {
  return stringify([
    [...RECORD_COLUMNS],
    ...records.map((r) => [
      r.ageBand,
      r.sex,
      r.zip3,
      r.period,
      r.conditionCategories.join(';'),
      r.encounters,
      r.admissions,
      r.dispenses,
    ]),
  ]);
}

const EXT = 'https://carefed.example/fhir/StructureDefinition';
const FHIR_GENDER: Record<string, string> = { female: 'female', male: 'male', other: 'other' };

/**
 * Record-level rows as de-identified FHIR R4 NDJSON: per row a Patient with
 * a release-local id (`r1`, `r2`… in release order), its gender (none when
 * generalised away), its ZIP3 as the postal code and its age band and period
 * as extensions; and a Condition per category (the ICD-10-CM chapter as the
 * code, no date). The counts travel as extensions of the Patient.
 */
export function recordsNdjson(records: readonly Released[]): string {
  const lines: string[] = [];
  records.forEach((r, i) => {
    const id = `r${i + 1}`;
    lines.push(
      JSON.stringify({
        resourceType: 'Patient',
        id,
        // HL7 security label: anonymized (de-identified, no pseudonym carried).
        meta: {
          security: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
              code: 'ANONYED',
            },
          ],
        },
        ...(FHIR_GENDER[r.sex] ? { gender: FHIR_GENDER[r.sex] } : {}),
        address: [{ postalCode: r.zip3, country: 'US' }],
        extension: [
          { url: `${EXT}/age-band`, valueString: r.ageBand },
          { url: `${EXT}/period`, valueString: r.period },
          { url: `${EXT}/encounter-count`, valueInteger: r.encounters },
          { url: `${EXT}/admission-count`, valueInteger: r.admissions },
          { url: `${EXT}/dispense-count`, valueInteger: r.dispenses },
        ],
      }),
    );
    r.conditionCategories.forEach((c, j) =>
      lines.push(
        JSON.stringify({
          resourceType: 'Condition',
          id: `${id}-c${j + 1}`,
          subject: { reference: `Patient/${id}` },
          code: {
            coding: [
              { system: 'https://carefed.example/fhir/CodeSystem/icd-10-cm-chapter', code: c },
            ],
          },
        }),
      ),
    );
  });
  return lines.map((l) => `${l}\n`).join('');
}
