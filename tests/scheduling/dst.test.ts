import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * A week of slots around a daylight-saving change, through the API: the
 * facility's wall clock decides, and there is no gap and no duplicate.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('dst');
  const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
    weekday,
    start: '00:00',
    end: '24:00',
  }));
  await t.sql(
    `update scheduling.schedule set weekly = $1::jsonb, slot_minutes = 60 where practitioner_id = $2`,
    [JSON.stringify(allWeek), t.demo.practitionerId],
  );
});
afterAll(() => t?.stop());

type Slot = { start: string; end: string; localStart: string };

async function week(from: string, to: string): Promise<Slot[]> {
  const r = await t.gql<{ availableSlots: Slot[] }>(
    await t.token('scheduler'),
    `{ availableSlots(practitionerId: "${t.demo.practitionerId}", from: "${from}", to: "${to}", first: 200) { start end localStart } }`,
  );
  expect(r.errors).toBeUndefined();
  return r.data!.availableSlots;
}

function expectNoGapNoDuplicate(slots: Slot[], hours: number) {
  expect(slots).toHaveLength(hours);
  expect(new Set(slots.map((s) => s.start)).size).toBe(slots.length);
  for (let i = 1; i < slots.length; i++) expect(slots[i]!.start).toBe(slots[i - 1]!.end);
  for (const s of slots) expect(Date.parse(s.end) - Date.parse(s.start)).toBe(3_600_000);
}

describe('slots across daylight-saving changes (America/Chicago)', () => {
  it('spring forward, 2027-03-14: 167 hourly slots in the week, 02:00 local never offered', async () => {
    const slots = await week('2027-03-11T06:00:00Z', '2027-03-18T05:00:00Z');
    expectNoGapNoDuplicate(slots, 167);
    const day = slots.filter((s) => s.localStart.startsWith('2027-03-14'));
    expect(day).toHaveLength(23);
    expect(day.some((s) => s.localStart.startsWith('2027-03-14T02:'))).toBe(false);
    expect(day.map((s) => s.localStart.slice(-6))).toContain('-05:00');
  });

  it('fall back, 2027-11-07: 169 hourly slots in the week, 01:00 local offered twice at different instants', async () => {
    const slots = await week('2027-11-04T05:00:00Z', '2027-11-11T06:00:00Z');
    expectNoGapNoDuplicate(slots, 169);
    const one = slots.filter((s) => s.localStart.startsWith('2027-11-07T01:00'));
    expect(one.map((s) => s.localStart)).toEqual([
      '2027-11-07T01:00:00-05:00',
      '2027-11-07T01:00:00-06:00',
    ]);
  });
});
