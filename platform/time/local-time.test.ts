import { DateTime, Settings } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatDayNumber,
  isKnownTimeZone,
  isoWeekday,
  localDayNumber,
  localTimeExists,
  localToInstant,
  parseLocalDate,
  parseLocalTime,
  toLocal,
} from './local-time.js';

const day = (date: string): number => parseLocalDate(date)!;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('parsing', () => {
  it('reads HH:mm from 00:00 to 24:00 and rejects the rest', () => {
    expect(parseLocalTime('00:00')).toBe(0);
    expect(parseLocalTime('09:30')).toBe(570);
    expect(parseLocalTime('24:00')).toBe(1440);
    for (const bad of ['24:01', '25:00', '9:30', '09:60', '0930', '09:30:00', '']) {
      expect(parseLocalTime(bad)).toBeNull();
    }
  });

  it('reads real calendar dates only', () => {
    expect(parseLocalDate('1970-01-01')).toBe(0);
    expect(formatDayNumber(day('2028-02-29'))).toBe('2028-02-29');
    for (const bad of ['2026-02-29', '2026-13-01', '2026-04-31', '2026-4-1', '20260401']) {
      expect(parseLocalDate(bad)).toBeNull();
    }
  });

  it('gives ISO weekdays', () => {
    expect(isoWeekday(day('2026-11-01'))).toBe(7);
    expect(isoWeekday(day('2026-11-02'))).toBe(1);
    expect(isoWeekday(day('1969-12-31'))).toBe(3);
  });

  it('knows IANA zones', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isKnownTimeZone('')).toBe(false);
  });
});

describe('localToInstant', () => {
  afterEach(() => {
    Settings.now = () => Date.now();
  });

  it('maps ordinary local times by the offset in force', () => {
    expect(iso(localToInstant(day('2026-07-01'), 9 * 60, 'Europe/Berlin'))).toBe(
      '2026-07-01T07:00:00.000Z',
    );
    expect(iso(localToInstant(day('2026-12-01'), 9 * 60, 'Europe/Berlin'))).toBe(
      '2026-12-01T08:00:00.000Z',
    );
    expect(iso(localToInstant(day('2026-11-01'), 1440, 'America/New_York'))).toBe(
      '2026-11-02T05:00:00.000Z',
    );
  });

  it('resolves a repeated (fall-back) time to its earlier instant', () => {
    const ny = localToInstant(day('2026-11-01'), 90, 'America/New_York');
    expect(iso(ny)).toBe('2026-11-01T05:30:00.000Z');
    expect(localTimeExists(day('2026-11-01'), 90, 'America/New_York')).toBe(true);
    const berlin = localToInstant(day('2026-10-25'), 150, 'Europe/Berlin');
    expect(iso(berlin)).toBe('2026-10-25T00:30:00.000Z');
  });

  it('resolves a skipped (spring-forward) time to the moment the clock jumps', () => {
    const berlin = localToInstant(day('2026-03-29'), 150, 'Europe/Berlin');
    expect(iso(berlin)).toBe('2026-03-29T01:00:00.000Z');
    expect(localTimeExists(day('2026-03-29'), 150, 'Europe/Berlin')).toBe(false);
    expect(localTimeExists(day('2026-03-29'), 180, 'Europe/Berlin')).toBe(true);
    // Lord Howe moves by 30 minutes: 02:00..02:30 does not exist.
    const lordHowe = localToInstant(day('2026-10-04'), 135, 'Australia/Lord_Howe');
    expect(toLocal(new Date(lordHowe), 'Australia/Lord_Howe')).toBe('2026-10-04T02:30:00+11:00');
    // Santiago skips midnight itself.
    const santiago = localToInstant(day('2026-09-06'), 0, 'America/Santiago');
    expect(toLocal(new Date(santiago), 'America/Santiago')).toBe('2026-09-06T01:00:00-03:00');
  });

  it('does not depend on the season the code runs in (unlike luxon fromObject)', () => {
    const ambiguous = () => localToInstant(day('2026-11-01'), 90, 'America/New_York');
    const viaLuxon = () =>
      DateTime.fromObject(
        { year: 2026, month: 11, day: 1, hour: 1, minute: 30 },
        { zone: 'America/New_York' },
      ).toMillis();
    Settings.now = () => Date.UTC(2026, 0, 15);
    const winter = [ambiguous(), viaLuxon()];
    Settings.now = () => Date.UTC(2026, 6, 15);
    const summer = [ambiguous(), viaLuxon()];
    expect(winter[0]).toBe(summer[0]);
    // Documents why luxon's resolution is not used: it flips with the current date.
    expect(winter[1]).not.toBe(summer[1]);
  });

  it('refuses an unknown zone', () => {
    expect(() => localToInstant(0, 0, 'Nowhere/Town')).toThrow(RangeError);
  });
});

describe('localDayNumber and toLocal', () => {
  it('finds the local date of an instant', () => {
    const instant = Date.parse('2026-11-02T03:30:00Z');
    expect(formatDayNumber(localDayNumber(instant, 'America/New_York'))).toBe('2026-11-01');
    expect(formatDayNumber(localDayNumber(instant, 'Asia/Tokyo'))).toBe('2026-11-02');
  });

  it('formats ISO with offset, both occurrences of a repeated hour distinct', () => {
    expect(toLocal(new Date('2026-11-01T05:00:00Z'), 'America/New_York')).toBe(
      '2026-11-01T01:00:00-04:00',
    );
    expect(toLocal(new Date('2026-11-01T06:00:00Z'), 'America/New_York')).toBe(
      '2026-11-01T01:00:00-05:00',
    );
    expect(toLocal(new Date('2026-06-01T12:00:00Z'), 'UTC')).toBe('2026-06-01T12:00:00+00:00');
    expect(() => toLocal(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
  });
});
