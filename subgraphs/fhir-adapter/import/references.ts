/**
 * Rewrites every `reference` in a resource through `resolve` (a copy; the
 * input is untouched). A reference `resolve` does not know is kept as
 * written. Contained resources' local references (`#id`) are left alone.
 */
export function rewriteReferences<T>(value: T, resolve: (ref: string) => string | undefined): T {
  if (Array.isArray(value)) return value.map((v: unknown) => rewriteReferences(v, resolve)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'reference' && typeof v === 'string' && !v.startsWith('#')) out[k] = resolve(v) ?? v;
    else out[k] = rewriteReferences(v, resolve);
  }
  return out as T;
}

/** Every `reference` string in a resource. */
export function referencesIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'reference' && typeof v === 'string') out.add(v);
      else referencesIn(v, out);
    }
  return out;
}

/**
 * A literal reference as `[type, id]` (`Patient/123`, or an absolute URL
 * ending so); undefined for a conditional (`Practitioner?identifier=…`),
 * `urn:uuid:` or local reference.
 */
export function literalTarget(ref: string): [string, string] | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(ref);
  return m ? [m[1]!, m[2]!] : undefined;
}

/** JSON with object keys sorted: equal content, equal text, whatever the order it came in. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
