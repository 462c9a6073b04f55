import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrm, type MikroORM } from '../../../platform/db/orm.js';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../../platform/testing/subgraph-test-store.js';
import type { ScheduleChangedData } from '../../contracts/schedule-events.js';
import { entities } from '../entities/index.js';
import { migrations } from '../migrations/index.js';
import { SCHEMA } from '../server.js';
import { applyAppointmentChanged, applyScheduleChanged } from './availability-projection.js';
import { appointmentChanged, facilityAt, scheduleChanged } from './availability-testing.js';
import { MAX_SLOTS_PER_FACILITY, nextFreeSlots } from './next-free-slot.js';
import { offersSpecialty, specialtiesAt } from './specialties.js';

let store: SubgraphTestStore;
/** A second ORM on the same database that counts the statements it sends. */
let counted: MikroORM;
let statements = 0;
beforeAll(async () => {
  store = await openSubgraphTestStore('routing_next_free_slot', {
    schema: SCHEMA,
    entities,
    migrations,
  });
  counted = await createOrm({
    url: store.roleUrl,
    schema: SCHEMA,
    entities,
    migrations: [],
    onStatement: () => void statements++,
  });
});
afterAll(async () => {
  await counted?.close();
  await store?.close();
});

const em = () => store.orm.em.fork();
let n = 0;
/** A fresh facility with one schedule per entry, each at a Location of its own; returns the schedules. */
async function facilityWith(
  ...schedules: Partial<ScheduleChangedData>[]
): Promise<{ id: string; schedules: ScheduleChangedData[] }> {
  const id = `fac-${++n}`;
  const made = schedules.map((s, i) => scheduleChanged({ facilityId: `${id}-loc-${i}`, ...s }));
  await facilityAt(
    em(),
    id,
    made.map((s) => s.facilityId),
  );
  for (const s of made) await applyScheduleChanged(em(), s);
  return { id, schedules: made };
}
const hold = (practitionerId: string, start: string, end: string, status = 'booked' as const) =>
  applyAppointmentChanged(em(), appointmentChanged({ practitionerId, start, end, status }));

// Monday 2027-03-08, 06:00 in Chicago (CST, UTC−6).
const MONDAY_EARLY = new Date('2027-03-08T12:00:00Z');
const next = async (facilityId: string, from = MONDAY_EARLY, specialty?: string) =>
  (
    await nextFreeSlots(em(), {
      facilityIds: [facilityId],
      from,
      ...(specialty ? { specialty } : {}),
    })
  ).get(facilityId);

describe('nextFreeSlots', () => {
  it('is the first slot of the facility’s schedules on their wall clock', async () => {
    const f = await facilityWith({ practitionerId: 'pr-a' });
    expect(await next(f.id)).toEqual({
      start: new Date('2027-03-08T14:00:00Z'),
      end: new Date('2027-03-08T14:30:00Z'),
      practitionerId: 'pr-a',
      specialty: 'General Practice Physician',
    });
    // From mid-slot: the next whole slot.
    expect((await next(f.id, new Date('2027-03-08T14:10:00Z')))?.start).toEqual(
      new Date('2027-03-08T14:30:00Z'),
    );
  });

  it('skips held time, and counts it free again once the appointment is cancelled', async () => {
    const f = await facilityWith({ practitionerId: 'pr-b' });
    const booked = appointmentChanged({
      practitionerId: 'pr-b',
      start: '2027-03-08T14:00:00.000Z',
      end: '2027-03-08T15:00:00.000Z',
    });
    await applyAppointmentChanged(em(), booked);
    expect((await next(f.id))?.start).toEqual(new Date('2027-03-08T15:00:00Z'));
    await applyAppointmentChanged(em(), { ...booked, status: 'cancelled', version: 2 });
    expect((await next(f.id))?.start).toEqual(new Date('2027-03-08T14:00:00Z'));
    // Another practitioner's appointment holds nothing here.
    await hold('pr-other', '2027-03-08T14:00:00.000Z', '2027-03-08T14:30:00.000Z');
    expect((await next(f.id))?.practitionerId).toBe('pr-b');
  });

  it('takes the earliest across practitioners (ties: the lower id), and the specialty asked for', async () => {
    const f = await facilityWith(
      { practitionerId: 'pr-d', specialties: ['General Practice Physician'] },
      {
        practitionerId: 'pr-c',
        specialties: ['Internal Medicine', 'Cardiology'],
        weekly: [{ weekday: 1, start: '09:00', end: '10:00' }],
        slotMinutes: 60,
      },
    );
    expect(await next(f.id)).toMatchObject({
      start: new Date('2027-03-08T14:00:00Z'),
      practitionerId: 'pr-d',
    });
    expect(await next(f.id, MONDAY_EARLY, 'cARDIOLOGY')).toEqual({
      start: new Date('2027-03-08T15:00:00Z'),
      end: new Date('2027-03-08T16:00:00Z'),
      practitionerId: 'pr-c',
      specialty: 'Cardiology',
    });
    expect(await next(f.id, MONDAY_EARLY, 'Cardio')).toBeUndefined();
    // pr-d's whole morning held: pr-c's 09:00 comes first, under its first specialty.
    await hold('pr-d', '2027-03-08T14:00:00.000Z', '2027-03-08T18:00:00.000Z');
    expect(await next(f.id)).toMatchObject({
      start: new Date('2027-03-08T15:00:00Z'),
      practitionerId: 'pr-c',
      specialty: 'Internal Medicine',
    });
    // Equal starts: the lower practitioner id.
    const g = await facilityWith({ practitionerId: 'pr-f' }, { practitionerId: 'pr-e' });
    expect((await next(g.id))?.practitionerId).toBe('pr-e');
  });

  it('follows the facility’s wall clock across the spring-forward change (America/Chicago)', async () => {
    const f = await facilityWith({ practitionerId: 'pr-dst' });
    // Friday 2027-03-12 after hours; clocks go forward on Sunday 14 March: 08:00 is now UTC−5.
    expect(await next(f.id, new Date('2027-03-12T20:00:00Z'))).toMatchObject({
      start: new Date('2027-03-15T13:00:00Z'),
      end: new Date('2027-03-15T13:30:00Z'),
    });
    // And a schedule kept in New York lays out on its own clock.
    const ny = await facilityWith({ practitionerId: 'pr-ny', timeZone: 'America/New_York' });
    expect((await next(ny.id))?.start).toEqual(new Date('2027-03-08T13:00:00Z'));
  });

  it('ignores inactive schedules, and leaves out facilities with no free slot in the horizon', async () => {
    const f = await facilityWith({ practitionerId: 'pr-off', active: false });
    const closed = await facilityWith({
      practitionerId: 'pr-closed',
      exceptions: [{ date: '2027-03-08', kind: 'closed' }],
      weekly: [{ weekday: 1, start: '08:00', end: '09:00' }],
    });
    const found = await nextFreeSlots(em(), {
      facilityIds: [f.id, closed.id, 'no-such-facility'],
      from: MONDAY_EARLY,
      horizonDays: 7,
    });
    expect([...found.keys()]).toEqual([]);
    // Past the closed Monday, the next Monday.
    expect((await next(closed.id))?.start).toEqual(new Date('2027-03-15T13:00:00Z'));
  });

  it('answers many facilities in two statements', async () => {
    const fs = [
      await facilityWith({ practitionerId: 'pr-m1' }),
      await facilityWith({ practitionerId: 'pr-m2', specialties: ['Pediatrics'] }),
      await facilityWith({ practitionerId: 'pr-m3' }),
    ];
    statements = 0;
    const found = await nextFreeSlots(counted.em.fork(), {
      facilityIds: fs.map((f) => f.id),
      from: MONDAY_EARLY,
    });
    expect(statements).toBe(2);
    expect([...found.values()].map((s) => s.practitionerId).sort()).toEqual([
      'pr-m1',
      'pr-m2',
      'pr-m3',
    ]);
  });

  it('gives up on a facility after a bounded number of held slots', async () => {
    // Five-minute slots around the clock: 288 a day, all held for the first week.
    const allDay = ([1, 2, 3, 4, 5, 6, 7] as const).map((weekday) => ({
      weekday,
      start: '00:00',
      end: '24:00',
    }));
    const f = await facilityWith({ practitionerId: 'pr-busy', slotMinutes: 5, weekly: allDay });
    await hold('pr-busy', '2027-03-08T12:00:00.000Z', '2027-03-15T12:00:00.000Z');
    expect(7 * 288).toBeGreaterThan(MAX_SLOTS_PER_FACILITY);
    expect(await next(f.id)).toBeUndefined();
    // Held for a day only: found past it.
    const g = await facilityWith({ practitionerId: 'pr-busy2', slotMinutes: 5, weekly: allDay });
    await hold('pr-busy2', '2027-03-08T12:00:00.000Z', '2027-03-09T12:00:00.000Z');
    expect((await next(g.id))?.start).toEqual(new Date('2027-03-09T12:00:00Z'));
  });

  it('refuses a horizon platform/time cannot lay out', async () => {
    await expect(
      nextFreeSlots(em(), { facilityIds: ['x'], from: MONDAY_EARLY, horizonDays: 400 }),
    ).rejects.toThrow(RangeError);
  });
});

describe('specialties', () => {
  it('lists each facility’s specialties of active schedules, and filters a search by one', async () => {
    const f = await facilityWith(
      { specialties: ['Pediatrics', 'Cardiology'] },
      { specialties: ['Cardiology'] },
      { specialties: ['Dermatology'], active: false },
    );
    // A facility with no schedule at all.
    const empty = await facilityWith();
    const byId = await specialtiesAt(em(), [f.id, empty.id]);
    expect(byId.get(f.id)).toEqual(['Cardiology', 'Pediatrics']);
    expect(byId.get(empty.id)).toEqual([]);
    const filter = (s: string) => offersSpecialty('f.id', s);
    const matching = async (s: string) =>
      (
        await em().execute<{ id: string }[]>(
          `SELECT f.id FROM facility f WHERE f.id IN (?, ?) AND ${filter(s).sql} ORDER BY f.id`,
          [f.id, empty.id, ...filter(s).params],
        )
      ).map((r) => r.id);
    expect(await matching('pediatrics')).toEqual([f.id]);
    expect(await matching('Dermatology')).toEqual([]);
    expect(() => offersSpecialty('f.id; DROP TABLE facility', 'x')).toThrow(TypeError);
  });
});
