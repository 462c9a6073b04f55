import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addWeeks, dayMs, isoWeek, weekOf, weeksBetween } from './iso-week.js';

const days = fc
  .integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) })
  .map((ms) => new Date(ms).toISOString().slice(0, 10));

describe('weekOf', () => {
  it('maps every day of a week to its Monday, across a year end', () => {
    // 2025-12-29 is a Monday; its week runs into 2026.
    for (const d of ['2025-12-29', '2025-12-31', '2026-01-01', '2026-01-04']) {
      expect(weekOf(d)).toBe('2025-12-29');
    }
    expect(weekOf('2026-01-05')).toBe('2026-01-05');
    expect(weekOf('2024-03-05T14:07:00Z')).toBe('2024-03-04');
  });

  it('always returns a Monday at most six days earlier', () => {
    fc.assert(
      fc.property(days, (d) => {
        const w = weekOf(d);
        expect(new Date(dayMs(w)).getUTCDay()).toBe(1);
        const back = (dayMs(d) - dayMs(w)) / 86_400_000;
        expect(back).toBeGreaterThanOrEqual(0);
        expect(back).toBeLessThan(7);
      }),
    );
  });

  it('rejects what is not a calendar date', () => {
    expect(() => weekOf('2025-02-30')).toThrow(RangeError);
    expect(() => weekOf('yesterday')).toThrow(RangeError);
  });
});

describe('addWeeks and weeksBetween', () => {
  it('step over year ends and leap days', () => {
    expect(addWeeks('2025-12-29', 1)).toBe('2026-01-05');
    expect(addWeeks('2020-02-24', 1)).toBe('2020-03-02');
    expect(addWeeks('2026-01-05', -2)).toBe('2025-12-22');
    expect(weeksBetween('2020-12-28', '2021-01-04')).toBe(1);
    expect(weeksBetween('2021-01-04', '2020-12-28')).toBe(-1);
  });

  it('are inverse to each other', () => {
    fc.assert(
      fc.property(days, fc.integer({ min: -600, max: 600 }), (d, n) => {
        const w = weekOf(d);
        expect(weeksBetween(w, addWeeks(w, n))).toBe(n);
        expect(weeksBetween(d, addWeeks(d, n))).toBe(n);
      }),
    );
  });
});

describe('isoWeek', () => {
  it('numbers weeks as ISO 8601 does at year ends', () => {
    expect(isoWeek('2021-01-03')).toEqual({ year: 2020, week: 53 });
    expect(isoWeek('2021-01-04')).toEqual({ year: 2021, week: 1 });
    expect(isoWeek('2024-12-30')).toEqual({ year: 2025, week: 1 });
    expect(isoWeek('2026-01-01')).toEqual({ year: 2026, week: 1 });
    expect(isoWeek('2015-12-31')).toEqual({ year: 2015, week: 53 });
  });

  it('counts consecutive weeks consecutively within a year', () => {
    fc.assert(
      fc.property(days, (d) => {
        const a = isoWeek(d);
        const b = isoWeek(addWeeks(d, 1));
        if (b.year === a.year) expect(b.week).toBe(a.week + 1);
        else expect([b.year, b.week, a.week >= 52]).toEqual([a.year + 1, 1, true]);
      }),
    );
  });
});
