import { blindIndex } from '../../../platform/crypto/index.js';
import type { ClinicalFacts, Coding } from '../domain/clinical-kinds.js';
import { SEGMENTS, type Segment } from '../../contracts/security-labels.js';

/**
 * The search columns of a resource: keyed blind indexes of its codes,
 * categories and security labels (so raw SQL shows none of them), and its
 * clinical period as instants. Exact match only; a code is indexed with its
 * system and alone, so a filter may leave the system out.
 */
export interface ResourceIndex {
  codes: string[];
  categories: string[];
  labels: string[];
  start: Date | null;
  end: Date | null;
}

const tokens = (key: Buffer, purpose: string, codings: readonly Coding[]): string[] => {
  const out = new Set<string>();
  for (const c of codings) {
    if (!c.code) continue;
    out.add(blindIndex(key, `${purpose}.any`, c.code));
    if (c.system) out.add(blindIndex(key, purpose, c.system, c.code));
  }
  return [...out];
};

/** The index token of one code filter (`system` optional). */
export const codeToken = (key: Buffer, code: string, system?: string | null): string =>
  system ? blindIndex(key, 'fhir.code', system, code) : blindIndex(key, 'fhir.code.any', code);

/** The index token of one category filter (`system` optional). */
export const categoryToken = (key: Buffer, code: string, system?: string | null): string =>
  system
    ? blindIndex(key, 'fhir.category', system, code)
    : blindIndex(key, 'fhir.category.any', code);

/** The token of a security label. */
export const labelToken = (key: Buffer, segment: Segment): string =>
  blindIndex(key, 'fhir.label', segment);

/** Reads label tokens back as segments (the segment list is short and fixed). */
export function segmentsOfTokens(key: Buffer, tokensIn: readonly string[]): Segment[] {
  if (!tokensIn.length) return [];
  const known = new Map(SEGMENTS.map((s) => [labelToken(key, s), s]));
  return tokensIn.map((t) => known.get(t)).filter((s): s is Segment => s !== undefined);
}

/**
 * A FHIR date or dateTime as the instant it starts (`2019` is 2019-01-01 UTC);
 * null when absent or unreadable. A date-time without a zone is read as UTC.
 */
export function instantOf(value: string | null | undefined): Date | null {
  if (!value) return null;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T.*)?)?)?$/.exec(value);
  if (!m) return null;
  const [, y, mo = '01', d = '01', time] = m;
  const iso = time ? `${y}-${mo}-${d}${time}` : `${y}-${mo}-${d}T00:00:00Z`;
  const at = new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The search columns of a resource's facts and segments. */
export function indexOf(
  key: Buffer,
  facts: ClinicalFacts,
  segments: readonly Segment[],
): ResourceIndex {
  return {
    codes: tokens(key, 'fhir.code', facts.codes),
    categories: tokens(key, 'fhir.category', facts.categories),
    labels: segments.map((s) => labelToken(key, s)),
    start: instantOf(facts.start),
    end: instantOf(facts.end),
  };
}
