import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, as `JSON.stringify` would write the values otherwise. */
export function canonicalJson(value: unknown): string {
  const v =
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON: () => unknown }).toJSON()
      : value;
  const absent = (x: unknown) =>
    x === undefined || typeof x === 'function' || typeof x === 'symbol';
  if (Array.isArray(v))
    return `[${v.map((x) => (absent(x) ? 'null' : canonicalJson(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => !absent(x))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The GraphQL operation a gateway token is bound to: what the subgraph receives. */
export interface BoundOperation {
  query: unknown;
  variables?: unknown;
}

/**
 * SHA-256 (base64url) of the operation text and the canonical JSON of its
 * variables (none, `null` and `{}` are the same). The gateway signs it into the
 * subgraph token; the subgraph recomputes it from the body it received.
 */
export function operationHash(op: BoundOperation): string {
  const query = typeof op.query === 'string' ? op.query : '';
  const variables = op.variables ?? {};
  return createHash('sha256')
    .update(query)
    .update('\0')
    .update(canonicalJson(variables))
    .digest('base64url');
}
