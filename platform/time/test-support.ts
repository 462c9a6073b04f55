import type { Slot, SlotRange } from './slots.js';

/**
 * Broken invariants of a slot list, for tests: sorted by start, no overlap, no duplicate
 * start, each exactly `slotMinutes` of real time, all wholly inside `range`.
 */
export function slotProblems(
  slots: readonly Slot[],
  range: SlotRange,
  slotMinutes: number,
): string[] {
  const problems: string[] = [];
  const length = slotMinutes * 60_000;
  const starts = new Set<number>();
  slots.forEach((slot, index) => {
    const start = slot.start.getTime();
    const end = slot.end.getTime();
    if (end - start !== length) problems.push(`slot ${index} lasts ${end - start} ms`);
    if (start < range.from.getTime() || end > range.to.getTime()) {
      problems.push(`slot ${index} lies outside the range`);
    }
    if (starts.has(start)) problems.push(`slot ${index} repeats a start`);
    starts.add(start);
    const previous = slots[index - 1];
    if (previous !== undefined && previous.end.getTime() > start) {
      problems.push(`slot ${index} overlaps or precedes slot ${index - 1}`);
    }
  });
  return problems;
}

/** Pairs of consecutive slots with real time between them. */
export function gapsBetween(slots: readonly Slot[]): number {
  let gaps = 0;
  for (let i = 1; i < slots.length; i += 1) {
    if (slots[i]!.start.getTime() !== slots[i - 1]!.end.getTime()) gaps += 1;
  }
  return gaps;
}
