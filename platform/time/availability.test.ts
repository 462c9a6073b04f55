import { describe, expect, it } from 'vitest';
import { type ScheduleRule, validateScheduleRule } from './availability.js';

const good: ScheduleRule = {
  timeZone: 'Europe/Berlin',
  slotMinutes: 30,
  weekly: [
    { weekday: 1, start: '09:00', end: '12:00' },
    { weekday: 1, start: '13:00', end: '17:00' },
    { weekday: 2, start: '12:00', end: '13:00' },
    { weekday: 7, start: '00:00', end: '24:00' },
  ],
  exceptions: [
    { date: '2026-12-25', kind: 'closed' },
    { date: '2026-12-24', kind: 'hours', intervals: [{ start: '09:00', end: '12:00' }] },
  ],
  effectiveFrom: '2026-01-01',
  effectiveTo: '2026-12-31',
};

const problemsOf = (patch: Partial<ScheduleRule>): string[] =>
  validateScheduleRule({ ...good, ...patch });

describe('validateScheduleRule', () => {
  it('accepts a sound rule, including touching intervals and a remainder shorter than a slot', () => {
    expect(validateScheduleRule(good)).toEqual([]);
    expect(
      problemsOf({
        weekly: [
          { weekday: 3, start: '09:00', end: '12:00' },
          { weekday: 3, start: '12:00', end: '12:20' },
          { weekday: 3, start: '13:00', end: '13:50' },
        ],
      }),
    ).toEqual([]);
  });

  it('rejects an unknown zone', () => {
    expect(problemsOf({ timeZone: 'Europe/Atlantis' })).toEqual([
      'timeZone "Europe/Atlantis" is not a known IANA time zone',
    ]);
  });

  it('rejects slot lengths outside 5..240 or fractional', () => {
    for (const slotMinutes of [0, 4, 241, 7.5, Number.NaN]) {
      expect(problemsOf({ slotMinutes })).toEqual([
        'slotMinutes must be a whole number from 5 to 240',
      ]);
    }
    expect(problemsOf({ slotMinutes: 5 })).toEqual([]);
    expect(problemsOf({ slotMinutes: 240 })).toEqual([]);
  });

  it('rejects end not after start, malformed times and bad weekdays', () => {
    const problems = problemsOf({
      weekly: [
        { weekday: 1, start: '10:00', end: '10:00' },
        { weekday: 1, start: '12:00', end: '11:00' },
        { weekday: 2, start: '24:00', end: '24:00' },
        { weekday: 2, start: '9:00', end: '10:00' },
        { weekday: 2, start: '10:00', end: '24:30' },
        { weekday: 8 as 1, start: '10:00', end: '11:00' },
      ],
    });
    expect(problems).toEqual([
      'weekly[0]: end 10:00 must be after start 10:00',
      'weekly[1]: end 11:00 must be after start 12:00',
      'weekly[2]: start must be a time from 00:00 to 23:59 as HH:mm',
      'weekly[3]: start must be a time from 00:00 to 23:59 as HH:mm',
      'weekly[4]: end must be a time from 00:00 to 24:00 as HH:mm',
      'weekly[5]: weekday must be 1 (Monday) to 7 (Sunday)',
    ]);
  });

  it('rejects overlapping intervals on the same day only', () => {
    expect(
      problemsOf({
        weekly: [
          { weekday: 1, start: '13:00', end: '17:00' },
          { weekday: 1, start: '09:00', end: '13:30' },
          { weekday: 2, start: '09:00', end: '13:30' },
          { weekday: 1, start: '16:00', end: '18:00' },
        ],
      }),
    ).toEqual(['weekly[0] overlaps weekly[1]', 'weekly[3] overlaps weekly[0]']);
  });

  it('checks exceptions: dates, duplicates, kinds, their intervals', () => {
    const problems = problemsOf({
      exceptions: [
        { date: '2026-02-30', kind: 'closed' },
        { date: '2026-12-25', kind: 'closed' },
        { date: '2026-12-25', kind: 'hours', intervals: [] },
        {
          date: '2026-12-24',
          kind: 'hours',
          intervals: [
            { start: '09:00', end: '12:00' },
            { start: '11:00', end: '10:00' },
            { start: '11:00', end: '13:00' },
          ],
        },
        { date: '2026-12-31', kind: 'holiday' } as unknown as { date: string; kind: 'closed' },
      ],
    });
    expect(problems).toEqual([
      'exceptions[0]: date must be a real date as YYYY-MM-DD',
      'exceptions[2]: more than one exception for 2026-12-25',
      'exceptions[3].intervals[1]: end 10:00 must be after start 11:00',
      'exceptions[3].intervals[2] overlaps exceptions[3].intervals[0]',
      "exceptions[4]: kind must be 'closed' or 'hours'",
    ]);
  });

  it('checks the effective window', () => {
    expect(problemsOf({ effectiveFrom: '2026-06-01', effectiveTo: '2026-05-31' })).toEqual([
      'effectiveFrom must not be after effectiveTo',
    ]);
    expect(problemsOf({ effectiveFrom: '2026-06-01', effectiveTo: '2026-06-01' })).toEqual([]);
    expect(problemsOf({ effectiveFrom: 'soon', effectiveTo: undefined })).toEqual([
      'effectiveFrom must be a real date as YYYY-MM-DD',
    ]);
  });

  it('reports JSON-shaped garbage without throwing', () => {
    const garbage = { timeZone: 42, weekly: 'all day', slotMinutes: '30', exceptions: null };
    expect(validateScheduleRule(garbage as unknown as ScheduleRule)).toEqual([
      'timeZone "42" is not a known IANA time zone',
      'slotMinutes must be a whole number from 5 to 240',
      'weekly must be a list of intervals',
      'exceptions must be a list',
    ]);
  });
});
