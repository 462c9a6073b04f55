import type { EntryOutcome, ImportEntry } from './report.js';
import { issue } from './report.js';

/** A Bundle as posted, read far enough to import. */
export interface ParsedBundle {
  type: 'transaction' | 'batch';
  entries: ImportEntry[];
}

/** Why a body is not a bundle Carefed imports (no value quoted), or its entries. */
export function parseBundle(body: unknown): ParsedBundle | { problem: string } {
  const b = body as { resourceType?: unknown; type?: unknown; entry?: unknown } | null;
  if (!b || typeof b !== 'object' || Array.isArray(b))
    return { problem: 'The body is not a JSON object' };
  if (b.resourceType !== 'Bundle') return { problem: 'The body is not a Bundle' };
  if (b.type !== 'transaction' && b.type !== 'batch')
    return { problem: 'Only transaction and batch bundles are accepted' };
  if (b.entry !== undefined && !Array.isArray(b.entry))
    return { problem: 'Bundle.entry must be an array' };
  const entries = ((b.entry as unknown[] | undefined) ?? []).map((raw, i): ImportEntry => {
    const e = (raw ?? {}) as {
      fullUrl?: unknown;
      resource?: unknown;
      request?: { method?: unknown };
    };
    const location = `Bundle.entry[${i}]`;
    const method = e.request?.method;
    if (method !== undefined && method !== 'POST' && method !== 'PUT')
      return {
        location,
        resource: e.resource,
        unreadable: 'Only POST and PUT entries are imported (nothing is ever deleted)',
      };
    return {
      location,
      resource: e.resource,
      ...(typeof e.fullUrl === 'string' ? { fullUrl: e.fullUrl } : {}),
    };
  });
  return { type: b.type, entries };
}

const STATUS: Record<EntryOutcome['kind'], string> = {
  created: '201 Created',
  updated: '200 OK',
  unchanged: '200 OK',
  unmapped: '422 Unprocessable Entity',
  error: '400 Bad Request',
};

/** The transaction-response or batch-response Bundle of an import. */
export function responseBundle(
  type: ParsedBundle['type'],
  outcomes: readonly EntryOutcome[],
): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: `${type}-response`,
    entry: outcomes.map((o) => {
      switch (o.kind) {
        case 'created':
        case 'updated':
        case 'unchanged':
          return {
            response: {
              status: STATUS[o.kind],
              location: o.version ? `${o.type}/${o.id}/_history/${o.version}` : `${o.type}/${o.id}`,
              ...(o.version ? { etag: `W/"${o.version}"` } : {}),
            },
          };
        case 'unmapped':
          return {
            response: {
              status: STATUS.unmapped,
              outcome: {
                resourceType: 'OperationOutcome',
                issue: [{ severity: 'error', code: 'not-supported', diagnostics: o.reason }],
              },
            },
          };
        case 'error': {
          const forbidden = o.issues.some((i) => i.code === 'forbidden');
          return {
            response: {
              status: forbidden ? '403 Forbidden' : STATUS.error,
              outcome: {
                resourceType: 'OperationOutcome',
                issue: (o.issues.length
                  ? o.issues
                  : [issue('processing', 'Resource', 'Not imported')]
                ).map((i) => ({
                  severity: 'error',
                  code: i.code,
                  diagnostics: i.diagnostics,
                  expression: [i.expression],
                })),
              },
            },
          };
        }
      }
    }),
  };
}
