import { afterEach, describe, expect, it } from 'vitest';
import { isKnownTimeZone, toLocal, ZONE_MEMO_ENTRIES } from './local-time.js';

const original = Intl.DateTimeFormat;
let built = 0;
/** Counts every `Intl.DateTimeFormat` built while it is installed. */
function countFormats(): void {
  built = 0;
  Intl.DateTimeFormat = new Proxy(original, {
    construct(target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      built += 1;
      return new target(...args);
    },
    apply(target, _this, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      built += 1;
      return target(...args);
    },
  });
}
afterEach(() => {
  Intl.DateTimeFormat = original;
});

describe('time-zone checks are memoised', () => {
  it('checks a zone once, not once per appointment', () => {
    const zone = 'America/Argentina/Ushuaia';
    expect(toLocal(new Date('2026-03-01T12:00:00Z'), zone)).toBe('2026-03-01T09:00:00-03:00');
    countFormats();
    for (let i = 0; i < 500; i++) {
      expect(isKnownTimeZone(zone)).toBe(true);
      expect(toLocal(new Date(Date.UTC(2026, 2, 1, 12, i)), zone)).toMatch(/-03:00$/);
    }
    expect(built).toBe(0);
  });

  it('remembers unknown names too, and stays bounded under arbitrary input', () => {
    expect(isKnownTimeZone('Nowhere/Atlantis')).toBe(false);
    countFormats();
    for (let i = 0; i < 100; i++) expect(isKnownTimeZone('Nowhere/Atlantis')).toBe(false);
    expect(built).toBe(0);
    // Past the bound the oldest names are checked again: answers never change.
    for (let i = 0; i <= ZONE_MEMO_ENTRIES; i++) isKnownTimeZone(`Nowhere/Place_${i}`);
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Nowhere/Place_0')).toBe(false);
    expect(() => toLocal(new Date(), 'Nowhere/Place_0')).toThrow(/Unknown time zone/);
  });
});
