import { badInput } from '../errors/index.js';
import { requireUuid } from './ids.js';
import { decodeCursor, encodeCursor, pageSize } from './pagination.js';

// Keyset paging, the one way every list pages: a cursor names its list (`kind`) and the sort
// key of the item it follows, so a cursor of another list, or a forged one, is BAD_USER_INPUT
// before anything reaches SQL. A key is an instant (timestamptz, kept to the microsecond: a JS
// Date would drop them and skip or repeat rows) and a UUID, or a sequence number, or a UUID alone.

/** One page of a list: each item with the cursor that continues after it. */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
}

export const emptyPage = <T>(): Page<T> => ({ edges: [], hasNextPage: false });

/**
 * SQL for a timestamptz column as ISO 8601 UTC text to the microsecond: the
 * instant part of a cursor (select it beside the row as `<alias>_key`).
 */
export const instantKey = (col: string): string =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The cursor after an item of list `kind` whose sort key is `key` (instant and id, a sequence number, or an id). */
export const keysetCursor = (kind: string, ...key: (string | number)[]): string =>
  encodeCursor([kind, ...key]);

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isInstant(at: unknown): at is string {
  if (typeof at !== 'string' || !INSTANT.test(at)) return false;
  const d = new Date(at);
  // A real instant, written back the same way (no 30 February, no year 0).
  return (
    !Number.isNaN(d.getTime()) &&
    d.getUTCFullYear() >= 1 &&
    d.toISOString().slice(0, 19) === at.slice(0, 19)
  );
}

const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

const invalid = () => badInput('after is not a valid cursor', 'after');

/** The (instant, id) a cursor of list `kind` follows; null without a cursor. */
export function decodeKeyset(
  kind: string,
  after: string | null | undefined,
): { at: string; id: string } | null {
  const cursor = decodeCursor(after, 3);
  if (!cursor) return null;
  const [k, at, id] = cursor;
  if (k === kind && isInstant(at) && isUuid(id)) return { at, id };
  throw invalid();
}

/** The sequence number a cursor of list `kind` follows; null without a cursor. */
export function decodeSeqKeyset(kind: string, after: string | null | undefined): number | null {
  const cursor = decodeCursor(after, 2);
  if (!cursor) return null;
  const [k, seq] = cursor;
  if (k === kind && typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0) return seq;
  throw invalid();
}

/** The id a cursor of list `kind` follows; null without a cursor. */
export function decodeIdKeyset(kind: string, after: string | null | undefined): string | null {
  const cursor = decodeCursor(after, 2);
  if (!cursor) return null;
  const [k, id] = cursor;
  if (k === kind && isUuid(id)) return id;
  throw invalid();
}

/** How a batched list is windowed: one SQL statement pages every owner's list at once. */
export interface WindowSpec {
  /** Its cursor kind. */
  kind: string;
  /** FROM (with any JOINs) of the listed rows, e.g. `billing.payment q`. */
  from: string;
  /** The column whose lists are paged together, e.g. `q.patient_id` (a uuid). */
  owner: string;
  /** The sort key: a timestamptz column and a uuid column. */
  at: string;
  id: string;
  /** `desc` for newest first. */
  order: 'asc' | 'desc';
  /** Columns of the window; `rn` and `<at>` as `sort_key` are added. */
  select: string;
  /** Further conditions, each with its parameters. */
  filters?: readonly { sql: string; params: readonly unknown[] }[];
}

/** A windowed page query's parts: the subquery (rows with `rn`, `sort_key`), its parameters, and the row limit. */
export interface WindowQuery {
  sql: string;
  params: unknown[];
  /** Compare `rn` to this (`WHERE w.rn <= ?`): one more than the page, to tell whether more follow. */
  limit: number;
  size: number;
}

/**
 * The windowed subquery of `spec` for the lists of `owners`: `first` (checked
 * by `pageSize`) after the cursor, one more to tell `hasNextPage`. The caller
 * wraps it (`SELECT … FROM (<sql>) w … WHERE w.rn <= ?`) to add details, and
 * hands the rows to `collectPages`.
 */
export function windowedPage(
  spec: WindowSpec,
  owners: readonly string[],
  first: number,
  after: string | null | undefined,
): WindowQuery {
  const size = pageSize(first);
  const cursor = decodeKeyset(spec.kind, after);
  for (const o of owners) requireUuid(o);
  const where = [`${spec.owner} IN (SELECT json_array_elements_text(?::json)::uuid)`];
  const params: unknown[] = [JSON.stringify(owners)];
  for (const f of spec.filters ?? []) {
    where.push(f.sql);
    params.push(...f.params);
  }
  if (cursor) {
    where.push(
      `(${spec.at}, ${spec.id}) ${spec.order === 'desc' ? '<' : '>'} (?::timestamptz, ?::uuid)`,
    );
    params.push(cursor.at, cursor.id);
  }
  const dir = spec.order === 'desc' ? 'DESC' : 'ASC';
  return {
    sql: `SELECT ${spec.select}, ${instantKey(spec.at)} AS sort_key,
        row_number() OVER (PARTITION BY ${spec.owner} ORDER BY ${spec.at} ${dir}, ${spec.id} ${dir}) AS rn
      FROM ${spec.from} WHERE ${where.join(' AND ')}`,
    params,
    limit: size + 1,
    size,
  };
}

/**
 * The pages of `owners` from a windowed query's rows (each with `sort_key`
 * and its id), in the order the rows came: every owner has a page, an empty
 * one when it has no rows.
 */
export function collectPages<R extends { sort_key: string }, T>(
  spec: Pick<WindowSpec, 'kind'>,
  query: Pick<WindowQuery, 'size'>,
  owners: readonly string[],
  rows: readonly R[],
  ownerOf: (row: R) => string,
  idOf: (row: R) => string,
  toNode: (row: R) => T,
): Map<string, Page<T>> {
  const pages = new Map<string, Page<T>>(owners.map((o) => [o, emptyPage<T>()]));
  for (const r of rows) {
    const page = pages.get(ownerOf(r));
    if (!page) continue;
    if (page.edges.length < query.size)
      page.edges.push({ cursor: keysetCursor(spec.kind, r.sort_key, idOf(r)), node: toNode(r) });
    else page.hasNextPage = true;
  }
  return pages;
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

/** A key of a paged list: whose list (`id`), and which page of it. */
export interface PageKey {
  id: string;
  first: number;
  after: string | null;
}

export const pageKeyOf = (k: PageKey): string => JSON.stringify([k.id, k.first, k.after]);

/**
 * The pages of a batch of keys, `load`ed once per distinct (first, after):
 * aliases may ask for different pages, and a list costs one SQL statement per
 * page asked for however many owners share it. A page that fails (a bad
 * cursor) fails only the keys that asked for it.
 */
export async function pagesByKey<T>(
  keys: readonly PageKey[],
  load: (ids: string[], first: number, after: string | null) => Promise<Map<string, Page<T>>>,
): Promise<(Page<T> | Error)[]> {
  const groups = new Map<string, { first: number; after: string | null; ids: string[] }>();
  for (const k of keys) {
    const g = JSON.stringify([k.first, k.after]);
    const group = groups.get(g) ?? { first: k.first, after: k.after, ids: [] };
    group.ids.push(k.id);
    groups.set(g, group);
  }
  const pages = new Map<string, Map<string, Page<T>> | Error>();
  for (const [g, group] of groups)
    pages.set(
      g,
      await load(group.ids, group.first, group.after).catch((err: unknown) =>
        err instanceof Error ? err : new Error(String(err)),
      ),
    );
  return keys.map((k) => {
    const page = pages.get(JSON.stringify([k.first, k.after]));
    if (page instanceof Error) return page;
    return page?.get(k.id) ?? { edges: [], hasNextPage: false };
  });
}
