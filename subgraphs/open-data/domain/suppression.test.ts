import { describe, expect, it } from 'vitest';
import { suppressTable, type SuppressedTable } from './suppression.js';

function release(counts: number[][], threshold?: number): SuppressedTable {
  return suppressTable(
    {
      rows: counts.map((_, i) => `r${i}`),
      columns: counts[0]!.map((_, j) => `c${j}`),
      counts,
    },
    threshold,
  );
}

/** The cells as a picture: the count, S (small cell) or C (complementary). */
const picture = (t: SuppressedTable) =>
  t.cells.map((row) =>
    row.map((c) => (c.suppressed ? (c.reason === 'small-cell' ? 'S' : 'C') : c.value)),
  );

describe('small-cell suppression', () => {
  it('releases a table with no small count unchanged, totals exact', () => {
    const t = release([
      [20, 30],
      [40, 0],
    ]);
    expect(picture(t)).toEqual([
      [20, 30],
      [40, 0],
    ]);
    expect(t.rowTotals).toEqual([50, 40]);
    expect(t.columnTotals).toEqual([60, 30]);
    expect(t.total).toBe(90);
    expect(t.threshold).toBe(11);
  });

  it('in a one-column table, withholds a second cell (the smallest) with the small one', () => {
    const t = release([[5], [40], [30]]);
    expect(picture(t)).toEqual([['S'], [40], ['C']]);
    // A row total of a one-column table is its cell: withheld with it.
    expect(t.rowTotals).toEqual([null, 40, null]);
    expect(t.columnTotals).toEqual([75]);
    expect(t.total).toBe(75);
  });

  it('in a one-row table, withholds a second cell and the column totals that would give them away', () => {
    const t = release([[5, 20]]);
    expect(picture(t)).toEqual([['S', 'C']]);
    expect(t.columnTotals).toEqual([null, null]);
    expect(t.rowTotals).toEqual([25]);
  });

  it('completes the cheapest rectangle around a small cell', () => {
    const t = release([
      [3, 20, 30],
      [25, 40, 50],
      [22, 35, 60],
    ]);
    expect(picture(t)).toEqual([
      ['S', 'C', 30],
      [25, 40, 50],
      ['C', 'C', 60],
    ]);
    expect(t.rowTotals).toEqual([53, 115, 117]);
    expect(t.columnTotals).toEqual([50, 95, 140]);
  });

  it('does not protect a small cell with a zero, which would pin it from above', () => {
    // Pairing the 5 with the 0 beside it satisfies "two per line", but the 0
    // cannot go down, so the 5 could not go up: 5 would be its known maximum.
    const t = release([
      [5, 0, 40],
      [30, 20, 50],
    ]);
    expect(picture(t)).toEqual([
      ['S', 0, 'C'],
      ['C', 20, 'C'],
    ]);
  });

  it('withholds a small total, and what would give it away', () => {
    const t = release([
      [4, 3],
      [20, 30],
      [0, 0],
    ]);
    expect(picture(t)).toEqual([
      ['S', 'S'],
      ['C', 'C'],
      [0, 0],
    ]);
    // Row 0 totals 7 (small); row 1's total would give it as 57 − 50 − 0.
    expect(t.rowTotals).toEqual([null, null, 0]);
    expect(t.columnTotals).toEqual([24, 33]);
    expect(t.total).toBe(57);
  });

  it('withholds every nonzero entry, the grand total too, when the whole table is small', () => {
    const t = release([
      [2, 0],
      [3, 1],
    ]);
    expect(picture(t)).toEqual([
      ['S', 0],
      ['S', 'S'],
    ]);
    expect(t.rowTotals).toEqual([null, null]);
    expect(t.columnTotals).toEqual([null, null]);
    expect(t.total).toBeNull();
  });

  it('uses the given threshold', () => {
    expect(picture(release([[5], [6]], 5))).toEqual([[5], [6]]);
    expect(picture(release([[5], [6], [9]], 6))).toEqual([['S'], ['C'], [9]]);
    expect(picture(release([[1], [2]], 1))).toEqual([[1], [2]]);
  });

  it('refuses a table that is not one of non-negative integers, or a bad threshold', () => {
    const table = { rows: ['a'], columns: ['x', 'y'], counts: [[1, 2]] };
    expect(() => suppressTable({ ...table, counts: [[1, -2]] })).toThrow(/non-negative/);
    expect(() => suppressTable({ ...table, counts: [[1, 2.5]] })).toThrow(/non-negative/);
    expect(() => suppressTable({ ...table, counts: [[1]] })).toThrow(/one count per column/);
    expect(() => suppressTable({ ...table, counts: [] })).toThrow(/one row per row label/);
    expect(() => suppressTable(table, 0)).toThrow(/threshold/);
  });
});
