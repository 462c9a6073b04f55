/**
 * Lenient readers of FHIR JSON values: a missing or malformed field reads as
 * absent, never as an error, since the resource was validated before.
 */
import type { Coding } from './clinical-kinds.js';

export type Json = Record<string, unknown>;

/** The resource type a reference names (Reference.type, else "Type/id", "Type?query" or an absolute URL's), or null. */
export function targetType(value: unknown, ref: string): string | null {
  const declared = str(obj(value)?.type);
  if (declared) return declared.replace(/^.*\//, '');
  if (ref.startsWith('urn:')) return null;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)(?:\/[^/]+(?:\/_history\/[^/]+)?|\?.*)$/.exec(ref);
  return m?.[1] ?? null;
}

export function reference(value: unknown): string | null {
  return str(obj(value)?.reference);
}

/** The values at a dotted path, arrays flattened at every step. */
export function walk(value: unknown, path: string): unknown[] {
  let at = list(value);
  for (const key of path.split('.')) at = at.flatMap((v) => list(obj(v)?.[key]));
  return at;
}

/** The codings of one or more CodeableConcepts. */
export function concepts(value: unknown): Coding[] {
  return list(value).flatMap((cc) => list(obj(cc)?.coding).flatMap((c) => coding(c) ?? []));
}

export function coding(value: unknown): Coding | null {
  const c = obj(value);
  if (!c) return null;
  const out = { system: str(c.system), code: str(c.code), display: str(c.display) };
  return out.system || out.code ? out : null;
}

export function firstCode(concept: unknown): string | null {
  return concepts(concept).find((c) => c.code)?.code ?? null;
}

export function period(value: unknown): [string | null, string | null] {
  const p = obj(value);
  return [str(p?.start), str(p?.end)];
}

export function obj(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

export function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value as unknown[];
  return value === undefined || value === null ? [] : [value];
}

export function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
