import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../../platform/testing/subgraph-test-store.js';
import { SCHEDULE_CHANGED, type ScheduleChangedData } from '../../contracts/schedule-events.js';
import type { ImportEntry } from '../domain/practitioner-import.js';
import { entities } from '../entities/index.js';
import { migrations } from '../migrations/index.js';
import { DEMO_TIME_ZONE, DEMO_WEEKLY } from '../seed.js';
import { importPractitioners } from './practitioner-import.js';
import { saveSchedule, saveSchedules } from './schedules.js';

let store: SubgraphTestStore;
let admin: pg.Client;
beforeAll(async () => {
  store = await openSubgraphTestStore('scheduling_schedules', {
    schema: 'scheduling',
    entities,
    migrations,
    events: true,
  });
  admin = new pg.Client(store.adminUrl);
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await store?.close();
});

const em = () => store.orm.em.fork();
let npi = 9_000_000_000;
const practitioner = (over: Partial<ImportEntry> = {}): ImportEntry => ({
  sourceKey: `k-${++npi}`,
  npi: String(npi),
  family: 'Test',
  given: ['Pat'],
  specialties: ['General Practice Physician'],
  facilityIds: ['loc-1'],
  ...over,
});
const rule = {
  facilityId: 'loc-1',
  timeZone: DEMO_TIME_ZONE,
  slotMinutes: 30,
  weekly: DEMO_WEEKLY,
  exceptions: [],
};

/** The `schedule.changed` events in scheduling's outbox for a schedule, oldest version first, with their consumers. */
async function published(scheduleId: string) {
  const { rows } = await admin.query<{ payload: ScheduleChangedData; tasks: string[] }>(
    `SELECT o.payload, ARRAY(SELECT t.identifier FROM graphile_worker._private_jobs j
                               JOIN graphile_worker._private_tasks t ON t.id = j.task_id
                              WHERE j.key = t.identifier || ':' || o.id::text) AS tasks
       FROM scheduling.outbox o
      WHERE o.type = $1 AND o.aggregate_id = $2
      ORDER BY (o.payload->>'version')::int`,
    [SCHEDULE_CHANGED.type, scheduleId],
  );
  return rows;
}

describe('saveSchedules', () => {
  it('writes a schedule and publishes it for care routing, a new version with each change', async () => {
    const [p] = await importPractitioners(em(), [practitioner()]);
    const id = await saveSchedule(em(), { ...rule, practitionerId: p!.id });
    await saveSchedule(em(), { ...rule, id, practitionerId: p!.id, slotMinutes: 15 });
    const events = await published(id);
    expect(events.map((e) => [e.payload.version, e.payload.slotMinutes])).toEqual([
      [1, 30],
      [2, 15],
    ]);
    expect(events[0]).toEqual({
      payload: {
        scheduleId: id,
        practitionerId: p!.id,
        facilityId: 'loc-1',
        specialties: ['General Practice Physician'],
        timeZone: DEMO_TIME_ZONE,
        slotMinutes: 30,
        weekly: DEMO_WEEKLY,
        exceptions: [],
        active: true,
        version: 1,
      },
      tasks: ['care-routing:schedules', 'open-data:schedules'],
    });
    const { rows } = await admin.query('SELECT version FROM scheduling.schedule WHERE id = $1', [
      id,
    ]);
    expect(rows).toEqual([{ version: 2 }]);
  });

  it('writes nothing for a rule platform/time refuses', async () => {
    const [p] = await importPractitioners(em(), [practitioner()]);
    await expect(
      saveSchedules(em(), [
        { ...rule, practitionerId: p!.id },
        { ...rule, practitionerId: p!.id, timeZone: 'Nowhere/Never' },
      ]),
    ).rejects.toThrow();
    const { rows } = await admin.query(
      'SELECT 1 FROM scheduling.schedule WHERE practitioner_id = $1',
      [p!.id],
    );
    expect(rows).toEqual([]);
  });
});

describe('a practitioner import', () => {
  it('re-publishes their schedules when their specialties or active flag change, and only then', async () => {
    const entry = practitioner();
    const [p] = await importPractitioners(em(), [entry]);
    const id = await saveSchedule(em(), { ...rule, practitionerId: p!.id });
    // A changed name is not what the event carries: nothing is published.
    await importPractitioners(em(), [{ ...entry, family: 'Renamed' }]);
    await importPractitioners(em(), [{ ...entry, family: 'Renamed', specialties: ['Cardiology'] }]);
    await importPractitioners(em(), [
      { ...entry, family: 'Renamed', specialties: ['Cardiology'], active: false },
    ]);
    expect(
      (await published(id)).map((e) => [
        e.payload.version,
        e.payload.specialties,
        e.payload.active,
      ]),
    ).toEqual([
      [1, ['General Practice Physician'], true],
      [2, ['Cardiology'], true],
      [3, ['Cardiology'], false],
    ]);
  });
});
