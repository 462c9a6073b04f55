import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { suppressTable, type SuppressedTable } from './suppression.js';

/**
 * An independent checker of derivability, written from the linear system
 * itself (not from suppression.ts): the unknowns are the withheld cells and
 * totals; each appears in two balance equations (its row and column for a
 * cell; its line and the sum of totals for a total; both sums for the grand
 * total). A withheld value can move by ±1 if a chain of ±1 changes to other
 * withheld values rebalances every equation while keeping each ≥ 0. Every
 * chain found is turned into a whole alternative table and checked against
 * everything published, so a "not derivable" verdict always rests on a
 * witness.
 */
interface Unknown {
  value: number;
  eqs: [[number, number], [number, number]];
}

/** A published table with its truth, as the checker sees it. */
interface Published {
  counts: number[][];
  released: SuppressedTable;
}

function unknowns(p: Published): Map<string, Unknown> {
  const { counts, released } = p;
  const r = counts.length;
  const c = counts[0]!.length;
  const rowSum = (i: number) => counts[i]!.reduce((s, v) => s + v, 0);
  const colSum = (j: number) => counts.reduce((s, row) => s + row[j]!, 0);
  const all = new Map<string, Unknown>();
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++)
      if (released.cells[i]![j]!.value === null)
        all.set(`cell:${i}:${j}`, {
          value: counts[i]![j]!,
          eqs: [
            [i, 1],
            [r + j, 1],
          ],
        });
  for (let i = 0; i < r; i++)
    if (released.rowTotals[i] === null)
      all.set(`row:${i}`, {
        value: rowSum(i),
        eqs: [
          [i, -1],
          [r + c, 1],
        ],
      });
  for (let j = 0; j < c; j++)
    if (released.columnTotals[j] === null)
      all.set(`col:${j}`, {
        value: colSum(j),
        eqs: [
          [r + j, -1],
          [r + c + 1, 1],
        ],
      });
  if (released.total === null)
    all.set('total', {
      value: counts.flat().reduce((s, v) => s + v, 0),
      eqs: [
        [r + c, -1],
        [r + c + 1, -1],
      ],
    });
  return all;
}

/** A chain of changes moving `key` by `delta`, or null if the search finds none. */
function move(all: Map<string, Unknown>, key: string, delta: number): Map<string, number> | null {
  const e = all.get(key)!;
  const [[q1, a1], [q2, a2]] = e.eqs;
  const start = `${q1}/${-a1 * delta}`;
  const goal = `${q2}/${a2 * delta}`;
  const parent = new Map<string, { from: string; key: string; delta: number } | null>([
    [start, null],
  ]);
  const queue = [start];
  while (queue.length > 0 && !parent.has(goal)) {
    const state = queue.shift()!;
    const [q, need] = state.split('/').map(Number) as [number, number];
    for (const [k, f] of all) {
      if (k === key) continue;
      const at = f.eqs.findIndex(([eq]) => eq === q);
      if (at < 0) continue;
      const d = need * f.eqs[at]![1];
      if (f.value + d < 0) continue;
      const [q3, a3] = f.eqs[1 - at]!;
      const next = `${q3}/${-a3 * d}`;
      if (parent.has(next)) continue;
      parent.set(next, { from: state, key: k, delta: d });
      queue.push(next);
    }
  }
  if (!parent.has(goal)) return null;
  const changes = new Map<string, number>([[key, delta]]);
  for (let s = parent.get(goal); s; s = parent.get(s.from))
    changes.set(s.key, (changes.get(s.key) ?? 0) + s.delta);
  return changes;
}

/** Applies a chain to the truth and checks it is a table agreeing with everything published. */
function isWitness(p: Published, changes: Map<string, number>): boolean {
  const x = p.counts.map((row, i) => row.map((v, j) => v + (changes.get(`cell:${i}:${j}`) ?? 0)));
  const rows = x.map((row) => row.reduce((s, v) => s + v, 0));
  const cols = x[0]!.map((_, j) => x.reduce((s, row) => s + row[j]!, 0));
  const total = rows.reduce((s, v) => s + v, 0);
  const { released } = p;
  const agrees = (shown: number | null, v: number) => shown === null || shown === v;
  return (
    x.flat().every((v) => v >= 0) &&
    x.every((row, i) => row.every((v, j) => agrees(released.cells[i]![j]!.value, v))) &&
    rows.every((v, i) => agrees(released.rowTotals[i]!, v)) &&
    cols.every((v, j) => agrees(released.columnTotals[j]!, v)) &&
    agrees(released.total, total)
  );
}

/** The withheld entries that could not be both raised and (if ≥ 1) lowered. */
function exposed(p: Published): string[] {
  const all = unknowns(p);
  const bad: string[] = [];
  for (const [key, u] of all)
    for (const delta of u.value >= 1 ? [1, -1] : [1]) {
      const chain = move(all, key, delta);
      if (!chain || !isWitness(p, chain)) bad.push(`${key}${delta > 0 ? '+' : '-'}`);
    }
  return bad;
}

/**
 * The range of every withheld entry over every non-negative integer table
 * agreeing with what is published, by enumeration (tiny tables only). With the
 * grand total withheld the tables are unbounded; the box allows the truth + 3.
 */
function bruteRanges(p: Published): Map<string, [number, number]> | null {
  const { counts, released } = p;
  const r = counts.length;
  const c = counts[0]!.length;
  const cap = counts.flat().reduce((s, v) => s + v, 0) + 3;
  const free: [number, number, number][] = [];
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++)
      if (released.cells[i]![j]!.value === null) {
        const bound = Math.min(
          released.rowTotals[i] ?? cap,
          released.columnTotals[j] ?? cap,
          released.total ?? cap,
        );
        free.push([i, j, bound]);
      }
  if (free.reduce((n, [, , b]) => n * (b + 1), 1) > 200_000) return null;
  const ranges = new Map<string, [number, number]>();
  const note = (key: string, v: number) => {
    const old = ranges.get(key);
    ranges.set(key, old ? [Math.min(old[0], v), Math.max(old[1], v)] : [v, v]);
  };
  const x = counts.map((row) => [...row]);
  const visit = (n: number): void => {
    if (n < free.length) {
      const [i, j, bound] = free[n]!;
      for (let v = 0; v <= bound; v++) {
        x[i]![j] = v;
        visit(n + 1);
      }
      return;
    }
    const rows = x.map((row) => row.reduce((s, v) => s + v, 0));
    const cols = x[0]!.map((_, j) => x.reduce((s, row) => s + row[j]!, 0));
    const total = rows.reduce((s, v) => s + v, 0);
    const agrees = (shown: number | null, v: number) => shown === null || shown === v;
    if (!rows.every((v, i) => agrees(released.rowTotals[i]!, v))) return;
    if (!cols.every((v, j) => agrees(released.columnTotals[j]!, v))) return;
    if (!agrees(released.total, total)) return;
    for (const [i, j] of free) note(`cell:${i}:${j}`, x[i]![j]!);
    rows.forEach((v, i) => released.rowTotals[i] === null && note(`row:${i}`, v));
    cols.forEach((v, j) => released.columnTotals[j] === null && note(`col:${j}`, v));
    if (released.total === null) note('total', total);
  };
  visit(0);
  return ranges;
}

/** Withheld entries whose brute-force range does not reach past the truth on both sides. */
function bruteExposed(p: Published): string[] | null {
  const ranges = bruteRanges(p);
  if (!ranges) return null;
  const bad: string[] = [];
  for (const [key, u] of unknowns(p)) {
    const [lo, hi] = ranges.get(key)!;
    if (hi < u.value + 1) bad.push(`${key}+`);
    if (u.value >= 1 && lo > u.value - 1) bad.push(`${key}-`);
  }
  return bad.sort();
}

const count = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 10 }) },
  { weight: 4, arbitrary: fc.integer({ min: 11, max: 80 }) },
);

const tableArb = (maxRows: number, maxCols: number, cell = count) =>
  fc
    .tuple(fc.integer({ min: 1, max: maxRows }), fc.integer({ min: 1, max: maxCols }))
    .chain(([r, c]) =>
      fc.array(fc.array(cell, { minLength: c, maxLength: c }), { minLength: r, maxLength: r }),
    );

const label = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function release(counts: number[][], threshold = 11): Published {
  const table = { rows: label(counts.length, 'r'), columns: label(counts[0]!.length, 'c'), counts };
  return { counts, released: suppressTable(table, threshold) };
}

/** A release that withholds exactly the masked entries (to test the checker itself). */
function masked(counts: number[][], mask: boolean[]): Published {
  const r = counts.length;
  const c = counts[0]!.length;
  let n = 0;
  const hide = (v: number) => (mask[n++ % mask.length] ? null : v);
  const rows = counts.map((row) => row.reduce((s, v) => s + v, 0));
  const cols = counts[0]!.map((_, j) => counts.reduce((s, row) => s + row[j]!, 0));
  const released: SuppressedTable = {
    rows: label(r, 'r'),
    columns: label(c, 'c'),
    cells: counts.map((row) =>
      row.map((v) => {
        const shown = hide(v);
        return shown === null
          ? { value: null, suppressed: true, reason: 'complementary' as const }
          : { value: shown, suppressed: false as const };
      }),
    ),
    rowTotals: rows.map(hide),
    columnTotals: cols.map(hide),
    total: hide(rows.reduce((s, v) => s + v, 0)),
    threshold: 11,
  };
  return { counts, released };
}

describe('small-cell suppression (property)', () => {
  it('the checker agrees with brute-force enumeration on random withholding patterns', () => {
    const seen = { safe: 0, exposed: 0 };
    fc.assert(
      fc.property(
        tableArb(2, 3, fc.integer({ min: 0, max: 6 })),
        // Mostly withheld, so that safe patterns are common too.
        fc.array(
          fc.nat(3).map((n) => n > 0),
          { minLength: 12, maxLength: 12 },
        ),
        (counts, mask) => {
          const p = masked(counts, mask);
          const brute = bruteExposed(p);
          fc.pre(brute !== null);
          expect(exposed(p).sort()).toEqual(brute);
          seen[brute.length > 0 ? 'exposed' : 'safe']++;
        },
      ),
      { numRuns: 600 },
    );
    // Both verdicts were exercised, not just one.
    expect(seen.safe).toBeGreaterThan(50);
    expect(seen.exposed).toBeGreaterThan(50);
  });

  it('releases no count in 1..10 and no withheld value can be derived, or pinned at either end', () => {
    fc.assert(
      fc.property(tableArb(8, 8), (counts) => {
        const p = release(counts);
        const { released } = p;
        const shown = [
          ...released.cells.flat().map((c) => c.value),
          ...released.rowTotals,
          ...released.columnTotals,
          released.total,
        ];
        for (const v of shown) if (v !== null) expect(v === 0 || v >= 11).toBe(true);
        // Released values are the truth.
        released.cells.forEach((row, i) =>
          row.forEach((cell, j) => {
            if (!cell.suppressed) expect(cell.value).toBe(counts[i]![j]);
            else
              expect(cell.reason === 'small-cell').toBe(counts[i]![j]! > 0 && counts[i]![j]! < 11);
          }),
        );
        expect(exposed(p)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('every row and column holding a withheld entry holds at least two (its total counted)', () => {
    fc.assert(
      fc.property(tableArb(8, 8), (counts) => {
        const { released } = release(counts);
        const lines = [
          ...released.cells.map((row, i) => [...row.map((c) => c.value), released.rowTotals[i]!]),
          ...released.columns.map((_, j) => [
            ...released.cells.map((row) => row[j]!.value),
            released.columnTotals[j]!,
          ]),
        ];
        for (const line of lines) expect(line.filter((v) => v === null).length).not.toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with brute force on small tables', () => {
    let checked = 0;
    fc.assert(
      fc.property(tableArb(2, 3, fc.integer({ min: 0, max: 14 })), (counts) => {
        const p = release(counts);
        const brute = bruteExposed(p);
        fc.pre(brute !== null);
        expect(brute).toEqual([]);
        if (p.released.cells.flat().some((c) => c.suppressed)) checked++;
      }),
      { numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(30);
  });

  it('protects larger tables too, quickly', () => {
    fc.assert(
      fc.property(tableArb(30, 30), (counts) => {
        const started = performance.now();
        const p = release(counts);
        expect(performance.now() - started).toBeLessThan(500);
        expect(exposed(p)).toEqual([]);
      }),
      { numRuns: 20 },
    );
  });

  it('holds at other thresholds', () => {
    fc.assert(
      fc.property(tableArb(6, 6), fc.integer({ min: 1, max: 30 }), (counts, threshold) => {
        const p = release(counts, threshold);
        expect(exposed(p)).toEqual([]);
        for (const row of p.released.cells)
          for (const c of row)
            if (c.value !== null) expect(c.value === 0 || c.value >= threshold).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
