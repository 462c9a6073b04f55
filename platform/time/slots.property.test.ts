import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IsoWeekday, ScheduleRule, WeeklyHours } from './availability.js';
import { generateSlots } from './slots.js';
import { gapsBetween, slotProblems } from './test-support.js';

// Zones with one-hour, half-hour and midnight changes, southern-hemisphere DST, and none.
const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Europe/London',
  'America/St_Johns',
  'America/Santiago',
  'Australia/Lord_Howe',
  'Australia/Adelaide',
  'Pacific/Chatham',
  'Africa/Casablanca',
  'Asia/Kolkata',
  'UTC',
];

const clock = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Disjoint intervals for one weekday, from an even number of distinct boundaries. */
const dayHours = (weekday: IsoWeekday) =>
  fc.uniqueArray(fc.integer({ min: 0, max: 288 }), { maxLength: 6 }).map((points) => {
    const sorted = [...points].sort((a, b) => a - b).map((p) => p * 5);
    const hours: { weekday: IsoWeekday; start: string; end: string }[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) {
      hours.push({ weekday, start: clock(sorted[i]!), end: clock(sorted[i + 1]!) });
    }
    return hours;
  });

const weeklyHours: fc.Arbitrary<WeeklyHours> = fc
  .tuple(...([1, 2, 3, 4, 5, 6, 7] as const).map(dayHours))
  .map((days) => days.flat());

const FROM_MIN = Date.UTC(2020, 0, 1);
const FROM_MAX = Date.UTC(2035, 0, 1);
const range = fc
  .tuple(fc.integer({ min: FROM_MIN, max: FROM_MAX }), fc.integer({ min: 0, max: 14 * 24 * 60 }))
  .map(([from, minutes]) => ({ from: new Date(from), to: new Date(from + minutes * 60_000) }));

// Ranges that straddle a transition are what matter; bias towards spring and autumn.
const transitionRange = fc
  .tuple(
    fc.integer({ min: 2020, max: 2034 }),
    fc.constantFrom(2, 3, 8, 9, 10),
    fc.integer({ min: 0, max: 30 * 24 * 60 }),
    fc.integer({ min: 0, max: 7 * 24 * 60 }),
  )
  .map(([year, month, offset, minutes]) => {
    const from = Date.UTC(year, month, 1) + offset * 60_000;
    return { from: new Date(from), to: new Date(from + minutes * 60_000) };
  });

const scheduleRule: fc.Arbitrary<ScheduleRule> = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  weekly: weeklyHours,
  slotMinutes: fc.integer({ min: 5, max: 240 }),
  exceptions: fc.constant([]),
});

describe('generateSlots properties', () => {
  it('sorted, non-overlapping, inside the range, exactly slotMinutes long', () => {
    fc.assert(
      fc.property(scheduleRule, fc.oneof(range, transitionRange), (rule, r) => {
        expect(slotProblems(generateSlots(rule, r), r, rule.slotMinutes)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('clipping is consistent: a sub-range yields exactly the wider answer filtered to it', () => {
    fc.assert(
      fc.property(
        scheduleRule,
        transitionRange,
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (rule, r, cutFrom, cutTo) => {
          const span = r.to.getTime() - r.from.getTime();
          const from = r.from.getTime() + Math.floor((span * cutFrom) / 2000);
          const to = r.to.getTime() - Math.floor((span * cutTo) / 2000);
          const inner = generateSlots(rule, { from: new Date(from), to: new Date(to) });
          const outer = generateSlots(rule, r).filter(
            (slot) => slot.start.getTime() >= from && slot.end.getTime() <= to,
          );
          expect(inner).toEqual(outer);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a 24-hour schedule with slots dividing 30 minutes tiles time with no gap at all', () => {
    const allDay: WeeklyHours = ([1, 2, 3, 4, 5, 6, 7] as const).map((weekday) => ({
      weekday,
      start: '00:00',
      end: '24:00',
    }));
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom(5, 10, 15, 30),
        transitionRange,
        (timeZone, slotMinutes, r) => {
          const slots = generateSlots({ timeZone, weekly: allDay, slotMinutes, exceptions: [] }, r);
          expect(gapsBetween(slots)).toBe(0);
          const slotMs = slotMinutes * 60_000;
          // Tiled time: at most one slot's worth of uncovered time at each end of the range.
          const covered = slots.length * slotMs;
          expect(r.to.getTime() - r.from.getTime() - covered).toBeLessThan(2 * slotMs);
        },
      ),
      { numRuns: 150 },
    );
  });
});
