import type {
  CodeableConcept,
  Coding,
  Period,
  Quantity,
  QuantityRange,
} from './clinical-common.types.js';

/**
 * Defensive readers of FHIR JSON: every element may be absent or malformed,
 * and each reader answers null (or an empty list) rather than throw.
 */
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Json)
    : null;
}

/** A FHIR repeating element as a list; a lone value counts as one. */
export function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value as unknown[];
  return value === undefined || value === null ? [] : [value];
}

export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** An integer that fits GraphQL's Int (32 bits), else null. */
export function int(value: unknown): number | null {
  return Number.isSafeInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1
    ? (value as number)
    : null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function strings(value: unknown): string[] {
  return list(value).flatMap((v) => str(v) ?? []);
}

export function coding(value: unknown): Coding | null {
  const c = obj(value);
  if (!c) return null;
  const out = { system: str(c.system), code: str(c.code), display: str(c.display) };
  return out.system || out.code || out.display ? out : null;
}

export function concept(value: unknown): CodeableConcept | null {
  const c = obj(value);
  if (!c) return null;
  const codings = list(c.coding).flatMap((x) => coding(x) ?? []);
  const text = str(c.text);
  return text || codings.length ? { text, codings } : null;
}

export function concepts(value: unknown): CodeableConcept[] {
  return list(value).flatMap((c) => concept(c) ?? []);
}

/** The first code of a CodeableConcept (e.g. a status from its code system). */
export function firstCode(value: unknown): string | null {
  return concept(value)?.codings.find((c) => c.code)?.code ?? null;
}

/** Referenced resources (reasonReference, medicationReference) as text-only concepts, by their display. */
export function referenceConcepts(value: unknown): CodeableConcept[] {
  return list(value).flatMap((r) => {
    const text = str(obj(r)?.display);
    return text ? [{ text, codings: [] }] : [];
  });
}

export function period(value: unknown): Period | null {
  const p = obj(value);
  if (!p) return null;
  const out = { start: str(p.start), end: str(p.end) };
  return out.start || out.end ? out : null;
}

/** A single point in time as a period: start = end. */
export function pointPeriod(value: unknown): Period | null {
  const at = str(value);
  return at ? { start: at, end: at } : null;
}

export function quantity(value: unknown): Quantity | null {
  const q = obj(value);
  if (!q) return null;
  const out = {
    value: num(q.value),
    unit: str(q.unit),
    system: str(q.system),
    code: str(q.code),
  };
  return out.value !== null || out.unit || out.code ? out : null;
}

export function range(value: unknown): QuantityRange | null {
  const r = obj(value);
  if (!r) return null;
  const out = { low: quantity(r.low), high: quantity(r.high) };
  return out.low || out.high ? out : null;
}

/**
 * The id in a resolved reference `Type/<id>` (or `Type/<id>/_history/<n>`);
 * null for anything else, such as the conditional `Practitioner?identifier=…`
 * or a `urn:uuid:` left unresolved at import.
 */
export function refId(value: unknown, type: string): string | null {
  const ref = str(obj(value)?.reference);
  if (!ref) return null;
  const m = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(ref);
  return m && m[1] === type ? (m[2] ?? null) : null;
}

/**
 * The Location key of a reference: its id (`Location/<id>`), or the value of
 * a conditional `Location?identifier=<system>|<value>` (how EHR exports such
 * as Synthea's name a facility; care routing resolves both to its Facility).
 */
export function locationKey(value: unknown): string | null {
  const id = refId(value, 'Location');
  if (id) return id;
  const ref = str(obj(value)?.reference);
  const m = ref && /^Location\?identifier=[^|]*\|([A-Za-z0-9\-.]{1,64})$/.exec(ref);
  return m ? (m[1] ?? null) : null;
}

/** The distinct resolved ids of a list of references, in order. */
export function refIds(values: unknown[], type: string): string[] {
  return [...new Set(values.flatMap((v) => refId(v, type) ?? []))];
}

/** The texts of FHIR Annotations (note). */
export function notes(value: unknown): string[] {
  return list(value).flatMap((n) => str(obj(n)?.text) ?? []);
}
