import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  ONC_SEVERITY,
  severityRank,
  worldvistaSeverity,
  type Severity,
} from '../domain/severity.js';

/** One side of a source row, as the file names it. */
export interface InteractionSide {
  name: string;
  /** Ingredient RxCUI (WorldVistA). */
  rxcui: string | null;
  /** DrugBank id (ONC). */
  drugbankId: string | null;
}

/** One row of an interaction source, before it is resolved to ingredients. */
export interface SourceInteraction {
  source: 'ONC' | 'WORLDVISTA';
  /** Where the row is in its file: `onc-high-priority-ddi.csv:12`, or WorldVistA's Drug_Interaction_ID. */
  ref: string;
  a: InteractionSide;
  b: InteractionSide;
  severity: Severity;
  /** The source's own severity word (`Precaution for use`), or ONC's list name. */
  sourceSeverity: string;
  mechanism: string | null;
  advice: string | null;
}

/** What a source file held. */
export interface ParsedSource {
  rows: SourceInteraction[];
  /** Rows kept with a caveat (an unknown severity word) or not readable, by line. */
  notes: { ref: string; problem: string }[];
}

const ONC_LIST = 'ONC high-priority (Phansalkar 2012)';

/**
 * The ONC high-priority list (Phansalkar et al., JAMIA 2012, as published by
 * dbmi-pitt/public-PDDI-analysis): `$`-separated `name$DrugBank id$name$DrugBank id$`,
 * a UTF-8 BOM on line 1, CRLF or CR line ends, no header and no mechanism or
 * advice. Every pair is interruptive by definition (severity HIGH).
 */
export function parseOncFile(file: string): ParsedSource {
  const base = path.basename(file);
  const lines = fs
    .readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/);
  const rows: SourceInteraction[] = [];
  const notes: ParsedSource['notes'] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const ref = `${base}:${i + 1}`;
    const [n1, d1, n2, d2] = line.split('$').map((s) => s.trim());
    if (!n1 || !n2) {
      notes.push({ ref, problem: 'not a `name$DrugBank id$name$DrugBank id$` row' });
      continue;
    }
    rows.push({
      source: 'ONC',
      ref,
      a: { name: n1, rxcui: null, drugbankId: d1 || null },
      b: { name: n2, rxcui: null, drugbankId: d2 || null },
      severity: ONC_SEVERITY,
      sourceSeverity: ONC_LIST,
      mechanism: null,
      advice: null,
    });
  }
  return { rows, notes };
}

const text = (s: string | undefined): string | null => {
  const t = s?.trim();
  return t ? t : null;
};

/**
 * The WorldVistA/ANSM file: tab-separated with a header, fields optionally
 * double-quoted; `Description` is the mechanism, `Comment` the advice,
 * `Severity` one of ANSM's four levels (see domain/severity.ts).
 */
export function parseWorldvistaFile(file: string): ParsedSource {
  const records = parse<Record<string, string | undefined>>(fs.readFileSync(file), {
    bom: true,
    columns: true,
    delimiter: '\t',
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  const rows: SourceInteraction[] = [];
  const notes: ParsedSource['notes'] = [];
  for (const r of records) {
    const ref = `Drug_Interaction_ID ${r.Drug_Interaction_ID ?? '?'}`;
    const n1 = text(r.Drug_1_Name);
    const n2 = text(r.Drug_2_Name);
    if (!n1 || !n2) {
      notes.push({ ref, problem: 'a drug name is missing' });
      continue;
    }
    const word = text(r.Severity) ?? '';
    const { severity, known } = worldvistaSeverity(word);
    if (!known) notes.push({ ref, problem: `unknown severity "${word}", taken as HIGH` });
    rows.push({
      source: 'WORLDVISTA',
      ref,
      a: { name: n1, rxcui: text(r.Drug_1_RxCUI), drugbankId: null },
      b: { name: n2, rxcui: text(r.Drug_2_RxCUI), drugbankId: null },
      severity,
      sourceSeverity: word,
      mechanism: text(r.Description),
      advice: text(r.Comment),
    });
  }
  return { rows, notes };
}

/** An interaction between two catalogue ingredients, one per pair and source (`a < b`). */
export interface InteractionRow {
  a: string;
  b: string;
  source: 'ONC' | 'WORLDVISTA';
  /** The source rows it comes from (both directions, when the source lists both). */
  sourceRef: string;
  severity: Severity;
  mechanism: string | null;
  advice: string | null;
}

/** Finds the catalogue ingredient a source side names; null when none. */
export type SideResolver = (side: InteractionSide) => string | null;

/**
 * Resolves source rows to ingredient pairs. Both directions of a pair in one
 * source collapse into one row (`a < b`), keeping the stricter severity and
 * its mechanism and advice; two sources on one pair stay two rows. A row
 * whose sides do not both resolve (or resolve to one ingredient) is returned
 * in `unresolved`, never dropped silently.
 */
export function resolveInteractions(
  rows: readonly SourceInteraction[],
  resolve: SideResolver,
): { rows: InteractionRow[]; unresolved: { ref: string; problem: string }[] } {
  const byKey = new Map<string, InteractionRow>();
  const unresolved: { ref: string; problem: string }[] = [];
  for (const r of rows) {
    const x = resolve(r.a);
    const y = resolve(r.b);
    if (!x || !y || x === y) {
      const missing = [!x && r.a.name, !y && r.b.name].filter(Boolean).join(', ');
      unresolved.push({
        ref: r.ref,
        problem: missing ? `not in the catalogue: ${missing}` : 'both sides are one ingredient',
      });
      continue;
    }
    const [a, b] = x < y ? [x, y] : [y, x];
    const key = `${a}\u0000${b}\u0000${r.source}`;
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, {
        a,
        b,
        source: r.source,
        sourceRef: r.ref,
        severity: r.severity,
        mechanism: r.mechanism,
        advice: r.advice,
      });
      continue;
    }
    const refs = [...prev.sourceRef.split('; '), r.ref].sort().join('; ');
    const keepNew = severityRank(r.severity) < severityRank(prev.severity);
    byKey.set(
      key,
      keepNew
        ? {
            ...prev,
            sourceRef: refs,
            severity: r.severity,
            mechanism: r.mechanism,
            advice: r.advice,
          }
        : {
            ...prev,
            sourceRef: refs,
            mechanism: prev.mechanism ?? r.mechanism,
            advice: prev.advice ?? r.advice,
          },
    );
  }
  const out = [...byKey.values()].sort((p, q) =>
    p.a === q.a
      ? p.b === q.b
        ? p.source.localeCompare(q.source)
        : p.b < q.b
          ? -1
          : 1
      : p.a < q.a
        ? -1
        : 1,
  );
  return { rows: out, unresolved };
}
