import { describe, expect, it } from 'vitest';
import { addDays, allocateFefo, dayOf, fefoOrder, usableOn, type LotStock } from './fefo.js';

const lot = (id: string, expiresOn: string, onHand: number, received = '2026-01-01'): LotStock => ({
  id,
  expiresOn,
  onHand,
  receivedAt: new Date(`${received}T00:00:00Z`),
});

describe('allocateFefo', () => {
  it('draws the earliest-expiring lot first and empties it before the next', () => {
    const lots = [lot('c', '2027-03-01', 10), lot('a', '2027-01-01', 3), lot('b', '2027-02-01', 5)];
    expect(allocateFefo(lots, 6, '2026-12-01')).toEqual([
      { lotId: 'a', quantity: 3 },
      { lotId: 'b', quantity: 3 },
    ]);
    expect(allocateFefo(lots, 2, '2026-12-01')).toEqual([{ lotId: 'a', quantity: 2 }]);
  });

  it('never draws a lot expiring on or before the day, nor an empty one', () => {
    const lots = [
      lot('old', '2026-12-01', 9),
      lot('empty', '2026-12-05', 0),
      lot('ok', '2027-01-01', 4),
    ];
    expect(allocateFefo(lots, 4, '2026-12-01')).toEqual([{ lotId: 'ok', quantity: 4 }]);
    expect(allocateFefo(lots, 5, '2026-12-01')).toBeUndefined();
    expect(allocateFefo(lots, 5, '2026-11-30')).toEqual([{ lotId: 'old', quantity: 5 }]);
  });

  it('breaks expiry ties by earliest receipt, then by id', () => {
    const lots = [
      lot('z', '2027-01-01', 1, '2026-02-01'),
      lot('y', '2027-01-01', 1, '2026-01-01'),
      lot('x', '2027-01-01', 1, '2026-02-01'),
    ];
    expect(fefoOrder(lots).map((l) => l.id)).toEqual(['y', 'x', 'z']);
    expect(allocateFefo(lots, 3, '2026-06-01')?.map((a) => a.lotId)).toEqual(['y', 'x', 'z']);
  });

  it('is undefined when the usable stock is short, and refuses a non-positive quantity', () => {
    expect(allocateFefo([lot('a', '2027-01-01', 2)], 3, '2026-01-01')).toBeUndefined();
    expect(allocateFefo([], 1, '2026-01-01')).toBeUndefined();
    expect(() => allocateFefo([], 0, '2026-01-01')).toThrow(RangeError);
    expect(() => allocateFefo([], 1.5, '2026-01-01')).toThrow(RangeError);
  });
});

describe('days', () => {
  it('judges expiry by UTC calendar day', () => {
    expect(dayOf(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12-31');
    expect(usableOn('2027-01-01', '2026-12-31')).toBe(true);
    expect(usableOn('2027-01-01', '2027-01-01')).toBe(false);
    expect(addDays('2026-12-31', 30)).toBe('2027-01-30');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});
