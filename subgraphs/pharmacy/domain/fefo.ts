/**
 * First-expiry-first-out allocation, free of I/O: which lots a dispense
 * draws from, and how much from each.
 */

/** A lot as allocation sees it. Dates are `YYYY-MM-DD` (UTC calendar days). */
export interface LotStock {
  id: string;
  /** The last day the lot may be used is the day before: a lot expiring on D is expired on D. */
  expiresOn: string;
  receivedAt: Date;
  onHand: number;
}

/** Units drawn from one lot. */
export interface Allocation {
  lotId: string;
  quantity: number;
}

/** Whether a lot expiring on `expiresOn` may still be used on `day`. */
export const usableOn = (expiresOn: string, day: string): boolean => expiresOn > day;

/** Lots in the order they are drawn: earliest expiry, then earliest received, then id. */
export function fefoOrder<T extends LotStock>(lots: readonly T[]): T[] {
  return [...lots].sort(
    (a, b) =>
      a.expiresOn.localeCompare(b.expiresOn) ||
      a.receivedAt.getTime() - b.receivedAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/**
 * The allocations of `quantity` units on `day` across `lots`: lots expired on
 * that day or empty are never drawn, the rest in `fefoOrder`, each emptied
 * before the next is touched. Undefined when the usable lots hold fewer than
 * `quantity` units.
 */
export function allocateFefo(
  lots: readonly LotStock[],
  quantity: number,
  day: string,
): Allocation[] | undefined {
  if (!Number.isInteger(quantity) || quantity < 1) throw new RangeError('quantity ≥ 1');
  const out: Allocation[] = [];
  let left = quantity;
  for (const lot of fefoOrder(lots.filter((l) => l.onHand > 0 && usableOn(l.expiresOn, day)))) {
    const take = Math.min(left, lot.onHand);
    out.push({ lotId: lot.id, quantity: take });
    left -= take;
    if (left === 0) return out;
  }
  return undefined;
}

/** The calendar day (UTC) of an instant, `YYYY-MM-DD`: the day expiry is judged on. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

/** `day` plus `days` calendar days. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return dayOf(d);
}
