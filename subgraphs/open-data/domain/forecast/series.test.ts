import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addWeeks } from './iso-week.js';
import { fillWeeks, futureWeeks, gridValues } from './series.js';

describe('fillWeeks', () => {
  it('fills missing weeks with zeros across a year end and sums a week given twice', () => {
    const filled = fillWeeks([
      { week: '2025-12-22', value: 3 },
      { week: '2026-01-07', value: 2 }, // a Wednesday: counts for the week of 2026-01-05
      { week: '2026-01-05', value: 1 },
    ]);
    expect(filled).toEqual([
      { week: '2025-12-22', value: 3 },
      { week: '2025-12-29', value: 0 },
      { week: '2026-01-05', value: 3 },
    ]);
  });

  it('extends to the bounds given and drops points outside them', () => {
    const filled = fillWeeks(
      [
        { week: '2024-01-01', value: 9 },
        { week: '2024-01-15', value: 4 },
      ],
      '2024-01-10',
      '2024-01-31',
    );
    expect(filled.map((p) => p.week)).toEqual([
      '2024-01-08',
      '2024-01-15',
      '2024-01-22',
      '2024-01-29',
    ]);
    expect(filled.map((p) => p.value)).toEqual([0, 4, 0, 0]);
  });

  it('is empty for no points and no bounds', () => {
    expect(fillWeeks([])).toEqual([]);
  });

  it('gives a consecutive grid that keeps the total of any sparse series', () => {
    const sparse = fc.array(
      fc.record({
        offset: fc.integer({ min: 0, max: 400 }),
        value: fc.integer({ min: 0, max: 50 }),
      }),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(sparse, (pts) => {
        const points = pts.map((p) => ({ week: addWeeks('2019-12-30', p.offset), value: p.value }));
        const filled = fillWeeks(points);
        const offsets = pts.map((p) => p.offset);
        expect(filled.length).toBe(Math.max(...offsets) - Math.min(...offsets) + 1);
        expect(filled.reduce((a, p) => a + p.value, 0)).toBe(pts.reduce((a, p) => a + p.value, 0));
        expect(() => gridValues(filled)).not.toThrow();
      }),
    );
  });
});

describe('gridValues and futureWeeks', () => {
  it('rejects a gap and continues the grid', () => {
    expect(() =>
      gridValues([
        { week: '2024-01-01', value: 1 },
        { week: '2024-01-15', value: 1 },
      ]),
    ).toThrow(/fillWeeks/);
    expect(() => gridValues([{ week: '2024-01-01', value: Number.NaN }])).toThrow(RangeError);
    expect(futureWeeks('2025-12-22', 3)).toEqual(['2025-12-29', '2026-01-05', '2026-01-12']);
  });
});
