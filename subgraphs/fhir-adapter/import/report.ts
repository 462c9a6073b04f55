import type { FhirIssue as SchemaIssue } from '../validation/fhir-schema.js';

/** An issue of an import: the schema's, or the import's own (access, references, conflicts). */
export type FhirIssue = Omit<SchemaIssue, 'code'> & {
  code: SchemaIssue['code'] | 'forbidden' | 'not-found' | 'conflict' | 'processing';
};

/** One resource to import, with where it came from (for the report). */
export interface ImportEntry {
  /** Where it is: `Bundle.entry[3]`, or `Condition.000.ndjson:12`. */
  location: string;
  /** A bundle entry's fullUrl (`urn:uuid:…` or an absolute URL), when it has one. */
  fullUrl?: string;
  resource: unknown;
  /** Set when the line or entry could not even be read (not JSON). */
  unreadable?: string;
}

/** What went wrong with one entry (no values: paths, codes and reasons only). */
export interface EntryError {
  location: string;
  issues: FhirIssue[];
}

/** What became of one entry. */
export type EntryOutcome =
  | { kind: 'created' | 'updated' | 'unchanged'; type: string; id: string; version?: number }
  | { kind: 'unmapped'; type: string; reason: string }
  | { kind: 'error'; issues: FhirIssue[] };

/** An import's account of itself: counts by type, the unmapped by type and reason, every error. */
export interface ImportReport {
  total: number;
  created: Record<string, number>;
  updated: Record<string, number>;
  unchanged: Record<string, number>;
  /** Type → reason → count: what Carefed does not store, never dropped silently. */
  unmapped: Record<string, Record<string, number>>;
  errors: EntryError[];
}

/** Errors kept in full per report; beyond, only counted. */
export const MAX_REPORTED_ERRORS = 1000;

export const emptyReport = (): ImportReport => ({
  total: 0,
  created: {},
  updated: {},
  unchanged: {},
  unmapped: {},
  errors: [],
});

const bump = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

/** Adds one entry's outcome to the report. */
export function tally(report: ImportReport, location: string, o: EntryOutcome): void {
  report.total += 1;
  switch (o.kind) {
    case 'created':
    case 'updated':
    case 'unchanged':
      bump(report[o.kind], o.type);
      return;
    case 'unmapped':
      bump((report.unmapped[o.type] ??= {}), o.reason);
      return;
    case 'error':
      if (report.errors.length < MAX_REPORTED_ERRORS)
        report.errors.push({ location, issues: o.issues });
      return;
  }
}

/** Adds one report into another (bulk jobs run in chunks). */
export function mergeReports(into: ImportReport, from: ImportReport): void {
  into.total += from.total;
  for (const k of ['created', 'updated', 'unchanged'] as const)
    for (const [t, n] of Object.entries(from[k])) bump(into[k], t, n);
  for (const [t, reasons] of Object.entries(from.unmapped))
    for (const [r, n] of Object.entries(reasons)) bump((into.unmapped[t] ??= {}), r, n);
  for (const e of from.errors) if (into.errors.length < MAX_REPORTED_ERRORS) into.errors.push(e);
}

/**
 * Where an issue is, as FHIRPath: inside a bundle entry, from the Bundle
 * (`Bundle.entry[1].resource.code.coding[0].system`); in a bulk file, from
 * the resource (its line is in the diagnostics).
 */
export function issueExpression(location: string, expression: string): string {
  if (!location.startsWith('Bundle.entry[')) return expression;
  const rest = expression.replace(/^[A-Z][A-Za-z]*/, '');
  return `${location}.resource${rest}`;
}

/** A FHIR OperationOutcome of errors, each issue naming its entry (or line) and path. */
export function operationOutcome(errors: readonly EntryError[]): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    issue: errors.flatMap((e) =>
      e.issues.map((i) => ({
        severity: i.severity,
        code: i.code,
        diagnostics: `${e.location}: ${i.expression}: ${i.diagnostics}`,
        expression: [issueExpression(e.location, i.expression)],
      })),
    ),
  };
}

/** One issue of an entry's own making (not the schema's). */
export const issue = (
  code: FhirIssue['code'],
  expression: string,
  diagnostics: string,
): FhirIssue => ({ severity: 'error', code, expression, diagnostics });
