/**
 * Small-cell suppression of a published count table, with complementary
 * suppression so that no suppressed value can be worked back out of what is
 * published.
 *
 * A table is published with its row totals, column totals and grand total.
 * Choices, and why:
 * - A count of 0 is published as 0. A zero says "nobody", which is not a
 *   small group of people; hiding every zero would blank most sparse tables.
 *   Published zeros still constrain the rest, so they take part in the
 *   protection check below like any other published number.
 * - A total in 1..threshold-1 is itself a small count: it is suppressed (null)
 *   like a cell. The grand total is suppressed only when it is small (then
 *   every nonzero cell is too), or as the last resort described below.
 * - Complementary suppression hides the cheapest further entries that close a
 *   protecting cycle: a cell costs its count + 1, a row or column total twice
 *   its count + 1, so small cells go first and totals only when cells cannot
 *   do it as cheaply (in a one-column table a row total is its cell, and goes
 *   with it). The grand total is never chosen; if only it could close a cycle,
 *   every entry is suppressed. The choice is greedy (cheapest path per
 *   unprotected value), not a minimum-loss optimum.
 *
 * What is guaranteed: read the table as a network flow (grand total → row
 * totals → cells → column totals → grand total, each balanced). Every
 * suppressed entry with a true value v ≥ 1 can be moved to v − 1 and to v + 1,
 * and every suppressed 0 to 1, in another non-negative integer table agreeing
 * with everything published: the move is ±1 around a cycle of suppressed
 * entries. So no suppressed value is determined, not even pinned to one end of
 * its range. Row/column pair rules alone do not give this (a 2-D pattern can
 * be a bridge, or pinned by non-negativity); it is checked on the flow graph.
 *
 * Not covered: a protection range wider than ±1 (an attacker may learn a
 * withheld 7 lies in 6..9, say), and several tables released over the same
 * people (linked tables, or this table again later with other margins): each
 * table is protected on its own.
 */

/** Counts by row and column (a 1-D table is one column). */
export interface CountTable {
  rows: readonly string[];
  columns: readonly string[];
  /** counts[row][column]: non-negative integers. */
  counts: readonly (readonly number[])[];
}

/** One cell as released: its count, or null and why it was withheld. */
export type ReleasedCell =
  | { value: number; suppressed: false }
  | { value: null; suppressed: true; reason: 'small-cell' | 'complementary' };

/** A table as released: cells and totals, each either exact or null (suppressed). */
export interface SuppressedTable {
  rows: readonly string[];
  columns: readonly string[];
  cells: ReleasedCell[][];
  rowTotals: (number | null)[];
  columnTotals: (number | null)[];
  total: number | null;
  /** Released counts are 0 or at least this. */
  threshold: number;
}

/** The default small-cell threshold: released counts are 0 or at least 11. */
export const DEFAULT_THRESHOLD = 11;

/** An entry of the table as an edge of the flow graph. */
interface Edge {
  from: number;
  to: number;
  value: number;
  /** What hiding it costs when chosen as a complement (Infinity: never). */
  cost: number;
  hidden: boolean;
}

// Nodes: 0 feeds the row totals, 1 collects the column totals, then rows, then columns.
const SOURCE = 0;
const SINK = 1;

/** Cells, row totals, column totals, then the grand total, as edges (in that order). */
function buildGraph(table: CountTable, threshold: number): Edge[] {
  const r = table.rows.length;
  const c = table.columns.length;
  const small = (v: number) => v > 0 && v < threshold;
  const edge = (from: number, to: number, value: number, cost: number): Edge => ({
    from,
    to,
    value,
    cost,
    hidden: small(value),
  });
  const edges: Edge[] = [];
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) {
      const v = table.counts[i]![j]!;
      edges.push(edge(2 + i, 2 + r + j, v, v + 1));
    }
  const rowTotals = table.counts.map((row) => row.reduce((s, v) => s + v, 0));
  rowTotals.forEach((v, i) => edges.push(edge(SOURCE, 2 + i, v, 2 * (v + 1))));
  for (let j = 0; j < c; j++) {
    const v = table.counts.reduce((s, row) => s + row[j]!, 0);
    edges.push(edge(2 + r + j, SINK, v, 2 * (v + 1)));
  }
  const total = rowTotals.reduce((s, v) => s + v, 0);
  edges.push(edge(SINK, SOURCE, total, Infinity));
  return edges;
}

/**
 * A cheapest path from `start` to `goal` in the residual graph (an edge can
 * carry one more forward always, one less backward when its value is ≥ 1),
 * without edge `skip`. Hidden edges cost 0; with `hiddenOnly` published edges
 * are not used at all. Returns the published edges on it, or null if none.
 */
function cheapestPath(
  edges: readonly Edge[],
  incident: readonly (readonly number[])[],
  start: number,
  goal: number,
  skip: number,
  hiddenOnly: boolean,
): number[] | null {
  const nodes = incident.length;
  const dist = new Array<number>(nodes).fill(Infinity);
  const via = new Array<number>(nodes).fill(-1);
  const done = new Array<boolean>(nodes).fill(false);
  dist[start] = 0;
  for (;;) {
    let u = -1;
    for (let n = 0; n < nodes; n++) if (!done[n] && (u < 0 || dist[n]! < dist[u]!)) u = n;
    if (u < 0 || dist[u] === Infinity) return null;
    if (u === goal) break;
    done[u] = true;
    for (const k of incident[u]!) {
      const e = edges[k]!;
      if (k === skip || (hiddenOnly && !e.hidden)) continue;
      const cost = e.hidden ? 0 : e.cost;
      const next = e.from === u ? e.to : e.value >= 1 ? e.from : -1;
      if (next < 0 || cost === Infinity || dist[u]! + cost >= dist[next]!) continue;
      dist[next] = dist[u]! + cost;
      via[next] = k;
    }
  }
  const published: number[] = [];
  for (let n = goal; n !== start;) {
    const k = via[n]!;
    const e = edges[k]!;
    if (!e.hidden) published.push(k);
    n = e.from === n ? e.to : e.from;
  }
  return published;
}

/**
 * The ends a protecting path must join for edge k: to raise it, from its head
 * back to its tail; to lower it (value ≥ 1), from its tail to its head.
 */
function needs(e: Edge): [number, number][] {
  return e.value >= 1
    ? [
        [e.to, e.from],
        [e.from, e.to],
      ]
    : [[e.to, e.from]];
}

/** Hides published entries until every hidden one is protected (see the module comment). */
function protect(edges: Edge[], nodes: number): void {
  const incident = Array.from({ length: nodes }, (): number[] => []);
  edges.forEach((e, k) => {
    incident[e.from]!.push(k);
    incident[e.to]!.push(k);
  });
  for (let changed = true; changed;) {
    changed = false;
    for (const [k, e] of edges.entries()) {
      if (!e.hidden) continue;
      for (const [start, goal] of needs(e)) {
        if (cheapestPath(edges, incident, start, goal, k, true)) continue;
        const path = cheapestPath(edges, incident, start, goal, k, false);
        if (!path) {
          // Only the grand total could close the cycle: hide everything.
          for (const all of edges) all.hidden = true;
          return;
        }
        for (const p of path) edges[p]!.hidden = true;
        changed = true;
      }
    }
  }
}

function validate(table: CountTable, threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new RangeError(`threshold must be a positive integer, got ${threshold}`);
  if (table.counts.length !== table.rows.length)
    throw new RangeError('counts must have one row per row label');
  for (const row of table.counts) {
    if (row.length !== table.columns.length)
      throw new RangeError('every row of counts must have one count per column label');
    for (const v of row)
      if (!Number.isSafeInteger(v) || v < 0)
        throw new RangeError('counts must be non-negative integers');
  }
}

/**
 * Suppresses a count table for release: every count in 1..threshold-1
 * (cells and totals) is withheld, then further entries (smallest first) until
 * no withheld value can be derived from what is released.
 */
export function suppressTable(
  table: CountTable,
  threshold: number = DEFAULT_THRESHOLD,
): SuppressedTable {
  validate(table, threshold);
  const r = table.rows.length;
  const c = table.columns.length;
  const edges = buildGraph(table, threshold);
  const primary = edges.map((e) => e.hidden);
  protect(edges, 2 + r + c);
  const shown = (e: Edge) => (e.hidden ? null : e.value);
  const cells = table.rows.map((_, i) =>
    table.columns.map((_, j): ReleasedCell => {
      const k = i * c + j;
      const e = edges[k]!;
      if (!e.hidden) return { value: e.value, suppressed: false };
      return { value: null, suppressed: true, reason: primary[k] ? 'small-cell' : 'complementary' };
    }),
  );
  return {
    rows: table.rows,
    columns: table.columns,
    cells,
    rowTotals: edges.slice(r * c, r * c + r).map(shown),
    columnTotals: edges.slice(r * c + r, r * c + r + c).map(shown),
    total: shown(edges[r * c + r + c]!),
    threshold,
  };
}
