import { describe, expect, it } from 'vitest';
import { InvalidScheduleError, type ScheduleRule, type WeeklyHours } from './availability.js';
import {
  formatDayNumber,
  localDayNumber,
  localToInstant,
  parseLocalDate,
  toLocal,
} from './local-time.js';
import { generateSlots, type Slot, type SlotRange } from './slots.js';
import { gapsBetween, slotProblems } from './test-support.js';

const ALL_WEEK = [1, 2, 3, 4, 5, 6, 7] as const;
const onCall: WeeklyHours = ALL_WEEK.map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));
const clinic: WeeklyHours = ([1, 2, 3, 4, 5] as const).map((weekday) => ({
  weekday,
  start: '08:00',
  end: '17:00',
}));

const rule = (timeZone: string, weekly: WeeklyHours, slotMinutes: number): ScheduleRule => ({
  timeZone,
  weekly,
  slotMinutes,
  exceptions: [],
});

/** Local midnight of `first` to local midnight of `end` (exclusive) in `zone`. */
const localDays = (zone: string, first: string, end: string): SlotRange => ({
  from: new Date(localToInstant(parseLocalDate(first)!, 0, zone)),
  to: new Date(localToInstant(parseLocalDate(end)!, 0, zone)),
});

const at = (zone: string, date: string, time: string): Date => {
  const [h, m] = time.split(':').map(Number);
  return new Date(localToInstant(parseLocalDate(date)!, h! * 60 + m!, zone));
};

const localDateOf = (slot: Slot, zone: string): string =>
  formatDayNumber(localDayNumber(slot.start.getTime(), zone));

const countByLocalDate = (slots: Slot[], zone: string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const slot of slots) {
    const date = localDateOf(slot, zone);
    counts[date] = (counts[date] ?? 0) + 1;
  }
  return counts;
};

const localClock = (slot: Slot, zone: string): string => toLocal(slot.start, zone).slice(11, 19);

const onGrid = (slot: Slot, zone: string, slotMinutes: number): boolean => {
  const [h, m, s] = localClock(slot, zone).split(':').map(Number);
  return s === 0 && (h! * 60 + m!) % slotMinutes === 0;
};

const weeks = [
  {
    name: 'America/New_York fall-back (2026-11-01)',
    zone: 'America/New_York',
    first: '2026-10-29',
    end: '2026-11-05',
    change: '2026-11-01',
    hourlyThatDay: 25,
    weekdays: ['2026-10-29', '2026-10-30', '2026-11-02', '2026-11-03', '2026-11-04'],
  },
  {
    name: 'America/New_York spring-forward (2027-03-14)',
    zone: 'America/New_York',
    first: '2027-03-11',
    end: '2027-03-18',
    change: '2027-03-14',
    hourlyThatDay: 23,
    weekdays: ['2027-03-11', '2027-03-12', '2027-03-15', '2027-03-16', '2027-03-17'],
  },
  {
    name: 'Europe/Berlin spring-forward (2026-03-29)',
    zone: 'Europe/Berlin',
    first: '2026-03-26',
    end: '2026-04-02',
    change: '2026-03-29',
    hourlyThatDay: 23,
    weekdays: ['2026-03-26', '2026-03-27', '2026-03-30', '2026-03-31', '2026-04-01'],
  },
  {
    name: 'Europe/Berlin fall-back (2026-10-25)',
    zone: 'Europe/Berlin',
    first: '2026-10-22',
    end: '2026-10-29',
    change: '2026-10-25',
    hourlyThatDay: 25,
    weekdays: ['2026-10-22', '2026-10-23', '2026-10-26', '2026-10-27', '2026-10-28'],
  },
];

describe.each(weeks)('a week across $name', (week) => {
  const range = localDays(week.zone, week.first, week.end);

  it('24/7 hourly: one slot per real hour, no gap, no duplicate, on the hour', () => {
    const slots = generateSlots(rule(week.zone, onCall, 60), range);
    expect(slotProblems(slots, range, 60)).toEqual([]);
    expect(gapsBetween(slots)).toBe(0);
    expect(slots).toHaveLength(6 * 24 + week.hourlyThatDay);
    // The whole week is tiled: it lasts exactly as many real hours as there are slots.
    expect(range.to.getTime() - range.from.getTime()).toBe(slots.length * 3_600_000);
    const counts = countByLocalDate(slots, week.zone);
    expect(counts[week.change]).toBe(week.hourlyThatDay);
    expect(Object.values(counts).filter((n) => n === 24)).toHaveLength(6);
    expect(slots.every((slot) => onGrid(slot, week.zone, 60))).toBe(true);
    const changeDay = slots.filter((slot) => localDateOf(slot, week.zone) === week.change);
    const clocks = changeDay.map((slot) => localClock(slot, week.zone).slice(0, 2));
    if (week.hourlyThatDay === 25) {
      // The repeated hour appears twice, once per offset, with distinct instants.
      const repeated = clocks.filter((clock, i) => clocks.indexOf(clock) !== i);
      expect(repeated).toHaveLength(1);
      const twice = changeDay.filter((slot) =>
        localClock(slot, week.zone).startsWith(repeated[0]!),
      );
      expect(new Set(twice.map((slot) => toLocal(slot.start, week.zone))).size).toBe(2);
    } else {
      expect(clocks).not.toContain('02');
      expect(new Set(clocks).size).toBe(23);
    }
  });

  it('08:00-17:00 weekday clinic, 30 minutes: 18 slots a day at the same wall-clock times', () => {
    const slots = generateSlots(rule(week.zone, clinic, 30), range);
    expect(slotProblems(slots, range, 30)).toEqual([]);
    expect(slots).toHaveLength(5 * 18);
    const counts = countByLocalDate(slots, week.zone);
    expect(Object.keys(counts).sort()).toEqual([...week.weekdays].sort());
    for (const date of week.weekdays) {
      const day = slots.filter((slot) => localDateOf(slot, week.zone) === date);
      expect(day.map((slot) => localClock(slot, week.zone))).toEqual(
        Array.from({ length: 18 }, (_, i) => {
          const minutes = 8 * 60 + 30 * i;
          return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${minutes % 60 === 0 ? '00' : '30'}:00`;
        }),
      );
      expect(gapsBetween(day)).toBe(0);
      expect(day[0]!.start).toEqual(at(week.zone, date, '08:00'));
      expect(day[17]!.end).toEqual(at(week.zone, date, '17:00'));
    }
    // The UTC time of 08:00 moves by the change, the local time does not.
    const before = at(week.zone, week.weekdays[1]!, '08:00').getUTCHours();
    const after = at(week.zone, week.weekdays[2]!, '08:00').getUTCHours();
    expect(Math.abs(after - before)).toBe(1);
  });
});

describe('intervals that cross or touch a change', () => {
  const sunday = (zone: string, date: string, intervals: { start: string; end: string }[]) =>
    generateSlots(
      {
        timeZone: zone,
        weekly: [],
        slotMinutes: 30,
        exceptions: [{ date, kind: 'hours', intervals }],
      },
      localDays(zone, date, formatDayNumber(parseLocalDate(date)! + 1)),
    );
  const clocks = (slots: Slot[], zone: string) => slots.map((slot) => toLocal(slot.start, zone));

  it('fall-back 00:00-04:00 lasts five real hours: ten slots through both 01:00s', () => {
    const slots = sunday('America/New_York', '2026-11-01', [{ start: '00:00', end: '04:00' }]);
    expect(clocks(slots, 'America/New_York')).toEqual([
      '2026-11-01T00:00:00-04:00',
      '2026-11-01T00:30:00-04:00',
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:00:00-05:00',
      '2026-11-01T01:30:00-05:00',
      '2026-11-01T02:00:00-05:00',
      '2026-11-01T02:30:00-05:00',
      '2026-11-01T03:00:00-05:00',
      '2026-11-01T03:30:00-05:00',
    ]);
    expect(gapsBetween(slots)).toBe(0);
  });

  it('an interval starting in the repeated hour starts at its first occurrence', () => {
    const slots = sunday('America/New_York', '2026-11-01', [{ start: '01:30', end: '03:00' }]);
    expect(clocks(slots, 'America/New_York')).toEqual([
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:00:00-05:00',
      '2026-11-01T01:30:00-05:00',
      '2026-11-01T02:00:00-05:00',
      '2026-11-01T02:30:00-05:00',
    ]);
  });

  it('intervals touching inside the repeated hour neither overlap nor leave a gap', () => {
    const slots = sunday('Europe/Berlin', '2026-10-25', [
      { start: '00:00', end: '02:30' },
      { start: '02:30', end: '05:00' },
    ]);
    expect(slotProblems(slots, localDays('Europe/Berlin', '2026-10-25', '2026-10-26'), 30)).toEqual(
      [],
    );
    expect(gapsBetween(slots)).toBe(0);
    expect(slots).toHaveLength(12);
  });

  it('spring-forward 00:00-04:00 lasts three real hours: the missing hour has no slots', () => {
    const slots = sunday('America/New_York', '2027-03-14', [{ start: '00:00', end: '04:00' }]);
    expect(clocks(slots, 'America/New_York')).toEqual([
      '2027-03-14T00:00:00-05:00',
      '2027-03-14T00:30:00-05:00',
      '2027-03-14T01:00:00-05:00',
      '2027-03-14T01:30:00-05:00',
      '2027-03-14T03:00:00-04:00',
      '2027-03-14T03:30:00-04:00',
    ]);
    expect(gapsBetween(slots)).toBe(0);
  });

  it('an interval starting in the gap begins at the first grid point that exists', () => {
    const zone = 'Europe/Berlin';
    const clock = (start: string) =>
      clocks(sunday(zone, '2026-03-29', [{ start, end: '05:00' }]), zone).map((s) =>
        s.slice(11, 16),
      );
    expect(clock('02:30')).toEqual(['03:00', '03:30', '04:00', '04:30']);
    expect(clock('02:15')).toEqual(['03:15', '03:45', '04:15']);
    expect(sunday(zone, '2026-03-29', [{ start: '02:00', end: '03:00' }])).toEqual([]);
  });

  it('an interval ending in the gap ends when the clock jumps; its neighbour does not overlap', () => {
    const zone = 'Europe/Berlin';
    const slots = sunday(zone, '2026-03-29', [
      { start: '00:00', end: '02:30' },
      { start: '03:00', end: '05:00' },
    ]);
    expect(slotProblems(slots, localDays(zone, '2026-03-29', '2026-03-30'), 30)).toEqual([]);
    expect(slots).toHaveLength(8);
    expect(slots[3]!.end.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(slots[4]!.start.toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('90-minute slots across a one-hour change keep real length and shift until the day ends', () => {
    const zone = 'Europe/Berlin';
    const range = localDays(zone, '2026-03-28', '2026-03-31');
    const slots = generateSlots(rule(zone, onCall, 90), range);
    expect(slotProblems(slots, range, 90)).toEqual([]);
    const counts = countByLocalDate(slots, zone);
    // 23 real hours hold 15 whole slots; the 30-minute remainder is dropped.
    expect(counts).toEqual({ '2026-03-28': 16, '2026-03-29': 15, '2026-03-30': 16 });
    const changeDay = slots.filter((slot) => localDateOf(slot, zone) === '2026-03-29');
    expect(changeDay.slice(0, 3).map((slot) => localClock(slot, zone))).toEqual([
      '00:00:00',
      '01:30:00',
      '04:00:00',
    ]);
    expect(
      slots
        .filter((slot) => localDateOf(slot, zone) === '2026-03-30')
        .every((slot) => onGrid(slot, zone, 90)),
    ).toBe(true);
  });
});

describe('exceptions, effective dates and range clipping', () => {
  const zone = 'America/New_York';
  const week = localDays(zone, '2026-10-29', '2026-11-05');

  it('a closed holiday has no slots; special hours replace the weekly ones', () => {
    const slots = generateSlots(
      {
        ...rule(zone, clinic, 30),
        exceptions: [
          { date: '2026-11-03', kind: 'closed' },
          { date: '2026-10-31', kind: 'hours', intervals: [{ start: '10:00', end: '12:00' }] },
          {
            date: '2026-11-04',
            kind: 'hours',
            intervals: [
              { start: '13:00', end: '17:00' },
              { start: '09:00', end: '12:00' },
            ],
          },
        ],
      },
      week,
    );
    expect(slotProblems(slots, week, 30)).toEqual([]);
    const counts = countByLocalDate(slots, zone);
    expect(counts).toEqual({
      '2026-10-29': 18,
      '2026-10-30': 18,
      '2026-10-31': 4,
      '2026-11-02': 18,
      '2026-11-04': 14,
    });
    const wednesday = slots.filter((slot) => localDateOf(slot, zone) === '2026-11-04');
    expect(wednesday.map((slot) => localClock(slot, zone).slice(0, 5))).not.toContain('12:00');
    expect(wednesday[0]!.start).toEqual(at(zone, '2026-11-04', '09:00'));
    expect(gapsBetween(wednesday)).toBe(1);
  });

  it('honours effectiveFrom and effectiveTo as inclusive local dates', () => {
    const slots = generateSlots(
      {
        ...rule(zone, clinic, 30),
        effectiveFrom: '2026-10-30',
        effectiveTo: '2026-11-02',
        exceptions: [
          { date: '2026-11-04', kind: 'hours', intervals: [{ start: '09:00', end: '10:00' }] },
        ],
      },
      week,
    );
    expect(countByLocalDate(slots, zone)).toEqual({ '2026-10-30': 18, '2026-11-02': 18 });
  });

  it('keeps only slots wholly inside the range, never shortening or shifting one', () => {
    const range = { from: at(zone, '2026-10-30', '09:15'), to: at(zone, '2026-10-30', '11:10') };
    const slots = generateSlots(rule(zone, clinic, 30), range);
    expect(slots.map((slot) => localClock(slot, zone).slice(0, 5))).toEqual([
      '09:30',
      '10:00',
      '10:30',
    ]);
    const exact = { from: at(zone, '2026-10-30', '09:00'), to: at(zone, '2026-10-30', '09:30') };
    expect(generateSlots(rule(zone, clinic, 30), exact)).toHaveLength(1);
  });

  it('drops a trailing remainder shorter than a slot', () => {
    const slots = generateSlots(
      rule(zone, [{ weekday: 5, start: '09:00', end: '10:20' }], 30),
      week,
    );
    expect(slots.map((slot) => localClock(slot, zone).slice(0, 5))).toEqual(['09:00', '09:30']);
  });

  it('returns nothing for an empty or reversed range and refuses invalid input', () => {
    const r = rule(zone, clinic, 30);
    expect(generateSlots(r, { from: week.to, to: week.to })).toEqual([]);
    expect(generateSlots(r, { from: week.to, to: week.from })).toEqual([]);
    expect(() => generateSlots(r, { from: new Date(Number.NaN), to: week.to })).toThrow(RangeError);
    expect(() =>
      generateSlots(r, { from: week.from, to: new Date(week.from.getTime() + 367 * 86_400_000) }),
    ).toThrow(/366 days/);
    const bad = { ...r, slotMinutes: 3, timeZone: 'Nowhere/Town' };
    expect(() => generateSlots(bad, week)).toThrow(InvalidScheduleError);
    try {
      generateSlots(bad, week);
    } catch (error) {
      expect((error as InvalidScheduleError).problems).toHaveLength(2);
    }
  });
});
