import type { ImportEntry } from './report.js';

/**
 * Types in the order their references need: who a resource points at is
 * imported before it (patients and practitioners, then encounters, then
 * everything that names an encounter). Anything else comes last.
 */
export const IMPORT_ORDER = [
  'Patient',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  'Encounter',
];

const rank = (type: unknown): number => {
  const i = IMPORT_ORDER.indexOf(typeof type === 'string' ? type : '');
  return i === -1 ? IMPORT_ORDER.length : i;
};

/**
 * The resources of a bulk NDJSON file (one JSON resource per line, as
 * `$export` writes them), each named `<file>:<line>`; a line that is not
 * JSON becomes an unreadable entry. Blank lines are skipped. `firstLine`
 * numbers a part of a larger file as the file does.
 */
export function ndjsonEntries(text: string, file: string, firstLine = 1): ImportEntry[] {
  const out: ImportEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const location = `${file}:${i + firstLine}`;
    try {
      out.push({ location, resource: JSON.parse(line) as unknown });
    } catch {
      out.push({ location, resource: undefined, unreadable: 'The line is not valid JSON' });
    }
  });
  return out;
}

/** Entries sorted so that references point backwards (stable within a type). */
export function inImportOrder(entries: readonly ImportEntry[]): ImportEntry[] {
  return entries
    .map((e, i) => ({
      e,
      i,
      r: rank((e.resource as { resourceType?: unknown } | undefined)?.resourceType),
    }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.e);
}
