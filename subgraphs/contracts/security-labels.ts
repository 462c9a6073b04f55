import { ICD10, ICD10CM, SENSITIVITY_CODES, type SensitivityRow } from './sensitivity-codes.js';

/**
 * FHIR `meta.security` labels for sensitive topics, assigned from a
 * resource's codes when it is written. The segments are HL7 v3 ActCode
 * sensitivity codes. Mental health uses PSY (psychiatry disorder), not MH:
 * the table matches diagnosed psychiatric disorders (ICD-10 chapter F),
 * which is what PSY names, and PSY is the code the SAMHSA Consent2Share and
 * DS4P value sets use, so consents written elsewhere name it.
 */
export type Segment = 'ETH' | 'PSY' | 'HIV' | 'STD' | 'SEX' | 'SDV' | 'GDIS';
export const SEGMENTS: readonly Segment[] = ['ETH', 'PSY', 'HIV', 'STD', 'SEX', 'SDV', 'GDIS'];

export interface SecurityLabel {
  system: string;
  code: string;
  display?: string;
}

export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
/** 42 CFR Part 2 (substance use disorder records), an ActCode privacy law. */
export const PART2 = '42CFRPart2';

const SEGMENT_DISPLAY: Record<Segment, string> = {
  ETH: 'substance abuse information sensitivity',
  PSY: 'psychiatry disorder information sensitivity',
  HIV: 'HIV/AIDS information sensitivity',
  STD: 'sexually transmitted disease information sensitivity',
  SEX: 'sexuality and reproductive health information sensitivity',
  SDV: 'sexual assault, abuse, or domestic violence information sensitivity',
  GDIS: 'genetic disease information sensitivity',
};

/** v3-Confidentiality from least to most restrictive. */
const CONFIDENTIALITY_RANK = ['U', 'L', 'M', 'N', 'R', 'V'] as const;
const CONFIDENTIALITY_DISPLAY: Record<string, string> = {
  U: 'unrestricted',
  L: 'low',
  M: 'moderate',
  N: 'normal',
  R: 'restricted',
  V: 'very restricted',
};

interface Index {
  exact: Map<string, Segment[]>;
  ranged: SensitivityRow[];
}

const INDEX: Index = buildIndex(SENSITIVITY_CODES);

/** Segments of the codings (any code of the resource: code, category, reasonCode...), in SEGMENTS order. */
export function segmentsOf(
  codings: readonly { system: string | null; code: string | null }[],
): Segment[] {
  const found = new Set<Segment>();
  for (const { system, code } of codings) {
    if (!system || !code) continue;
    const family = system === ICD10 ? ICD10CM : system;
    const normal = normalise(family, code);
    for (const s of INDEX.exact.get(key(family, normal)) ?? []) found.add(s);
    if (family !== ICD10CM) continue;
    for (const row of INDEX.ranged) if (icdMatches(row, normal)) found.add(row.segment);
  }
  return SEGMENTS.filter((s) => found.has(s));
}

/**
 * The labels a resource must carry: its existing `meta.security` (kept),
 * a sensitivity label per segment, 42CFRPart2 with ETH, and one
 * confidentiality: the highest of the existing one and R (any segment) or N
 * (none). A lower confidentiality is replaced, not kept beside the higher:
 * a resource has one confidentiality, and two would read as the lower to a
 * reader that takes the first. Pure; sorted stably by (system, code).
 */
export function securityLabels(
  existing: readonly SecurityLabel[] | undefined,
  segments: readonly Segment[],
): SecurityLabel[] {
  const out = new Map<string, SecurityLabel>();
  const add = (l: SecurityLabel) => {
    if (!out.has(key(l.system, l.code))) out.set(key(l.system, l.code), l);
  };
  let level = segments.length > 0 ? rank('R') : rank('N');
  for (const l of existing ?? []) {
    if (isConfidentiality(l)) level = Math.max(level, rank(l.code));
    else add({ ...l });
  }
  for (const s of SEGMENTS.filter((s) => segments.includes(s))) {
    add({ system: ACT_CODE, code: s, display: SEGMENT_DISPLAY[s] });
  }
  if (segments.includes('ETH')) add({ system: ACT_CODE, code: PART2, display: '42 CFR Part2' });
  const conf = CONFIDENTIALITY_RANK[level] ?? 'R';
  add({ system: CONFIDENTIALITY, code: conf, display: CONFIDENTIALITY_DISPLAY[conf] });
  return [...out.values()].sort((a, b) => compare(a.system, b.system) || compare(a.code, b.code));
}

/** Segments named by a set of labels (a consent provision's securityLabel list, or a resource's meta.security). */
export function segmentsOfLabels(
  labels: readonly { system?: string | null; code?: string | null }[],
): Segment[] {
  const named = new Set<string>();
  for (const { system, code } of labels) {
    // A bare code is not trusted to mean the ActCode concept.
    if (system !== ACT_CODE || !code) continue;
    named.add(code === PART2 ? 'ETH' : code);
  }
  return SEGMENTS.filter((s) => named.has(s));
}

/** ICD-10 codes compare upper-case and without the dot ("F11.20" = "f1120"); other systems as written. */
export function normalise(system: string, code: string): string {
  const trimmed = code.trim();
  return system === ICD10CM || system === ICD10
    ? trimmed.toUpperCase().replace(/[.\s]/g, '')
    : trimmed;
}

/**
 * Whether a normalised ICD-10 code falls under a prefix or range row. A range
 * compares 3-character categories by code point, so digits sort before
 * letters and O9A comes after O99, as in the classification.
 */
function icdMatches(row: SensitivityRow, code: string): boolean {
  if (row.match === 'prefix') return code.startsWith(row.from);
  if (row.match !== 'range' || !row.to) return false;
  const category = code.slice(0, 3);
  return (
    category.length === 3 && compare(category, row.from) >= 0 && compare(category, row.to) <= 0
  );
}

function buildIndex(rows: readonly SensitivityRow[]): Index {
  const exact = new Map<string, Segment[]>();
  const ranged: SensitivityRow[] = [];
  for (const row of rows) {
    if (row.system === ICD10CM && row.match !== 'exact') {
      ranged.push({
        ...row,
        from: normalise(ICD10CM, row.from),
        to: row.to && normalise(ICD10CM, row.to),
      });
      continue;
    }
    const k = key(row.system, normalise(row.system, row.from));
    exact.set(k, [...(exact.get(k) ?? []), row.segment]);
  }
  return { exact, ranged };
}

function isConfidentiality(l: SecurityLabel): boolean {
  return l.system === CONFIDENTIALITY && rank(l.code) >= 0;
}

function rank(code: string): number {
  return (CONFIDENTIALITY_RANK as readonly string[]).indexOf(code);
}

function key(system: string, code: string): string {
  return `${system}|${code}`;
}

/** Code-point order, independent of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
