import type { PractitionerFields } from '../../contracts/fhir-practitioner.js';

export type { PractitionerFields };
import { badInput } from '../../../platform/errors/index.js';

/**
 * A practitioner as an import states it: the whole directory entry (an
 * omitted optional field takes its default, it does not keep the old value).
 */

/** One entry of an import batch: the fields and the caller's opaque key, echoed back. */
export interface ImportEntry extends PractitionerFields {
  sourceKey: string;
}

/** A `practitioner` row as stored. */
export interface PractitionerRow {
  id: string;
  npi: string;
  family: string;
  given: string[];
  prefix: string | null;
  specialties: string[];
  facilityIds: string[];
  active: boolean;
}

export type ImportOutcome = 'CREATED' | 'UPDATED' | 'UNCHANGED';

export interface ImportResult {
  sourceKey: string;
  id: string;
  outcome: ImportOutcome;
}

/** What one batch writes: new rows, changed rows, and each entry's result in input order. */
export interface ImportPlan {
  inserts: PractitionerRow[];
  updates: PractitionerRow[];
  results: ImportResult[];
}

export const MAX_IMPORT_BATCH = 200;
const NPI = /^\d{10}$/;
// FHIR R4 `id`: also the shape of facility keys (Synthea Location ids).
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The stored row for `fields` under `id`, defaults applied. */
export function practitionerRow(id: string, fields: PractitionerFields): PractitionerRow {
  return {
    id,
    npi: fields.npi,
    family: fields.family,
    given: [...fields.given],
    prefix: fields.prefix ?? null,
    specialties: [...(fields.specialties ?? [])],
    facilityIds: [...(fields.facilityIds ?? [])],
    active: fields.active ?? true,
  };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** Whether two rows hold the same directory data (order of lists included). */
export function sameRow(a: PractitionerRow, b: PractitionerRow): boolean {
  return (
    a.npi === b.npi &&
    a.family === b.family &&
    sameList(a.given, b.given) &&
    a.prefix === b.prefix &&
    sameList(a.specialties, b.specialties) &&
    sameList(a.facilityIds, b.facilityIds) &&
    a.active === b.active
  );
}

function text(value: string, field: string, max: number): void {
  if (value.length < 1 || value.length > max)
    throw badInput(`${field} must be 1 to ${max} characters`, field);
}

function list(
  values: readonly string[],
  field: string,
  maxItems: number,
  check: (v: string, f: string) => void,
) {
  if (values.length > maxItems) throw badInput(`${field} takes at most ${maxItems} entries`, field);
  values.forEach((v, i) => check(v, `${field}[${i}]`));
}

function fhirId(value: string, field: string): void {
  if (!FHIR_ID.test(value))
    throw badInput(`${field} must be 1 to 64 of A-Z, a-z, 0-9, '-' and '.'`, field);
}

function checkEntry(e: ImportEntry, at: string): void {
  text(e.sourceKey, `${at}.sourceKey`, 200);
  if (!NPI.test(e.npi)) throw badInput(`${at}.npi must be 10 digits`, `${at}.npi`);
  if (e.id != null) fhirId(e.id, `${at}.id`);
  text(e.family, `${at}.family`, 200);
  list(e.given, `${at}.given`, 10, (v, f) => text(v, f, 200));
  if (e.prefix != null) text(e.prefix, `${at}.prefix`, 50);
  list(e.specialties ?? [], `${at}.specialties`, 20, (v, f) => text(v, f, 200));
  list(e.facilityIds ?? [], `${at}.facilityIds`, 50, fhirId);
}

function unique(entries: readonly ImportEntry[], key: 'npi' | 'sourceKey' | 'id'): void {
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const v = e[key];
    if (v == null) return;
    if (seen.has(v))
      throw badInput(
        `practitioners[${i}].${key} repeats an earlier entry's; send each practitioner once`,
        `practitioners[${i}].${key}`,
      );
    seen.add(v);
  });
}

/**
 * Refuses a batch (BAD_USER_INPUT naming the first bad field, never its value)
 * unless it has 1 to 200 well-formed entries with distinct NPIs, source keys and ids.
 */
export function checkImportBatch(entries: readonly ImportEntry[]): void {
  if (entries.length < 1 || entries.length > MAX_IMPORT_BATCH)
    throw badInput(`Send 1 to ${MAX_IMPORT_BATCH} practitioners per call`, 'practitioners');
  entries.forEach((e, i) => checkEntry(e, `practitioners[${i}]`));
  unique(entries, 'npi');
  unique(entries, 'sourceKey');
  unique(entries, 'id');
}

/**
 * Matches each entry to the stored practitioner with its NPI: none → a new
 * row under the wanted id when no practitioner has it (else `newId()`); one
 * holding other data → its row replaced (its id kept); the same data → nothing
 * to write. `existing` holds every stored row whose NPI or id the batch names.
 */
export function planImport(
  entries: readonly ImportEntry[],
  existing: readonly PractitionerRow[],
  newId: () => string,
): ImportPlan {
  const byNpi = new Map(existing.map((r) => [r.npi, r]));
  const taken = new Set(existing.map((r) => r.id));
  const plan: ImportPlan = { inserts: [], updates: [], results: [] };
  for (const e of entries) {
    const stored = byNpi.get(e.npi);
    if (!stored) {
      const id = e.id != null && !taken.has(e.id) ? e.id : newId();
      taken.add(id);
      plan.inserts.push(practitionerRow(id, e));
      plan.results.push({ sourceKey: e.sourceKey, id, outcome: 'CREATED' });
      continue;
    }
    const row = practitionerRow(stored.id, e);
    const same = sameRow(stored, row);
    if (!same) plan.updates.push(row);
    plan.results.push({
      sourceKey: e.sourceKey,
      id: stored.id,
      outcome: same ? 'UNCHANGED' : 'UPDATED',
    });
  }
  return plan;
}
