import { badInput } from '../../../platform/errors/index.js';
import { decodeCursor, encodeCursor } from '../../../platform/federation/pagination.js';

/** One page of a list: each item with the cursor that continues after it. */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
}

export const emptyPage = <T>(): Page<T> => ({ edges: [], hasNextPage: false });

/**
 * SQL for a timestamptz column as ISO 8601 UTC text to the microsecond: a
 * cursor key that pages exactly (a JS Date would drop the microseconds).
 */
export const instantKey = (col: string): string =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The cursor after the item keyed (instant, id) in a list of `kind`. */
export const keysetCursor = (kind: string, at: string, id: string): string =>
  encodeCursor([kind, at, id]);

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The (instant, id) of a cursor `keysetCursor(kind, …)` made; a malformed
 * cursor, or one of another list, is BAD_USER_INPUT on `after` (so nothing
 * foreign reaches SQL). Null when there is no cursor.
 */
export function decodeKeyset(
  kind: string,
  after: string | null | undefined,
): { at: string; id: string } | null {
  const cursor = decodeCursor(after, 3);
  if (!cursor) return null;
  const [k, at, id] = cursor;
  if (k === kind && typeof at === 'string' && typeof id === 'string' && UUID.test(id)) {
    const d = new Date(at);
    // A real instant, written back the same way (no 30 February, no year 0).
    if (
      INSTANT.test(at) &&
      !Number.isNaN(d.getTime()) &&
      d.getUTCFullYear() >= 1 &&
      d.toISOString().slice(0, 19) === at.slice(0, 19)
    )
      return { at, id };
  }
  throw badInput('after is not a valid cursor', 'after');
}

/** A Relay connection of a page, its nodes mapped to their GraphQL shape. */
export function toConnection<T, N>(
  page: Page<T>,
  toNode: (row: T) => N,
): {
  edges: { cursor: string; node: N }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
} {
  return {
    edges: page.edges.map((e) => ({ cursor: e.cursor, node: toNode(e.node) })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.edges.at(-1)?.cursor ?? null },
  };
}
