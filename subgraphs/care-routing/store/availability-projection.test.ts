import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventWorker } from '../../../platform/events/consumer.js';
import type { EventEnvelope, JsonValue } from '../../../platform/events/envelope.js';
import { publishEvent } from '../../../platform/events/publish.js';
import { waitFor } from '../../../platform/events/testing/db.js';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../../platform/testing/subgraph-test-store.js';
import { SCHEDULE_CHANGED, type ScheduleChangedData } from '../../contracts/schedule-events.js';
import { parseWeights } from '../domain/weights.js';
import { entities } from '../entities/index.js';
import {
  applyAppointmentEvent,
  applyScheduleEvent,
  CARE_ROUTING_TASKS,
  careRoutingTasks,
} from '../events.js';
import { migrations } from '../migrations/index.js';
import { SCHEMA } from '../server.js';
import { appointmentChanged, scheduleChanged } from './availability-testing.js';

let store: SubgraphTestStore;
let admin: pg.Client;
beforeAll(async () => {
  store = await openSubgraphTestStore('routing_availability_projection', {
    schema: SCHEMA,
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

const envelope = (type: string, aggregateId: string, data: JsonValue): EventEnvelope => ({
  id: randomUUID(),
  type,
  aggregateId,
  occurredAt: new Date().toISOString(),
  data,
});
/** Delivers an event to a handler in its own transaction, as the worker does (without the inbox). */
const deliver = (handler: typeof applyScheduleEvent, e: EventEnvelope) =>
  store.orm.em.fork().transactional((em) => handler(e, em));
const scheduleEvent = (d: ScheduleChangedData) => envelope(SCHEDULE_CHANGED.type, d.scheduleId, d);

const projected = async (scheduleId: string) =>
  (
    await admin.query<{
      slot_minutes: number;
      specialties: string[];
      specialty_keys: string[];
      active: boolean;
      version: number;
    }>(
      `SELECT slot_minutes, specialties, specialty_keys, active, version
         FROM routing.schedule_projection WHERE schedule_id = $1`,
      [scheduleId],
    )
  ).rows[0];
const held = async (appointmentId: string) =>
  (
    await admin.query<{ holds: boolean; version: number; starts_at: Date }>(
      'SELECT holds, version, starts_at FROM routing.held_time WHERE appointment_id = $1',
      [appointmentId],
    )
  ).rows[0];

describe('schedule projection', () => {
  it('stores a schedule with its specialties, and keys them for a case-insensitive match', async () => {
    const d = scheduleChanged({ specialties: ['Cardiology', 'Internal Medicine'] });
    await deliver(applyScheduleEvent, scheduleEvent(d));
    expect(await projected(d.scheduleId)).toEqual({
      slot_minutes: 30,
      specialties: ['Cardiology', 'Internal Medicine'],
      specialty_keys: ['cardiology', 'internal medicine'],
      active: true,
      version: 1,
    });
  });

  it('applies a newer version, and ignores the same version again or an older one after it', async () => {
    const v1 = scheduleChanged();
    const v2 = { ...v1, slotMinutes: 60, active: false, version: 2 };
    await deliver(applyScheduleEvent, scheduleEvent(v1));
    await deliver(applyScheduleEvent, scheduleEvent(v2));
    // The same version again (another event id: the inbox does not catch it), then the older one.
    await deliver(applyScheduleEvent, scheduleEvent({ ...v2, slotMinutes: 15 }));
    await deliver(applyScheduleEvent, scheduleEvent(v1));
    expect(await projected(v1.scheduleId)).toMatchObject({
      slot_minutes: 60,
      active: false,
      version: 2,
    });
  });

  it('refuses an event whose rule platform/time would refuse, naming the field only', async () => {
    const bad = { ...scheduleChanged(), timeZone: 'Mars/Olympus_Mons' };
    await expect(deliver(applyScheduleEvent, scheduleEvent(bad))).rejects.toThrow(
      /invalid fields: weekly/,
    );
    expect(await projected(bad.scheduleId)).toBeUndefined();
  });
});

describe('held time', () => {
  const appointmentEvent = (type: string, d: ReturnType<typeof appointmentChanged>) =>
    envelope(type, d.appointmentId, d);

  it('follows whether an appointment holds time, by version, and keeps no patient', async () => {
    const booked = appointmentChanged({ practitionerId: 'pr-held' });
    const cancelled = { ...booked, status: 'cancelled' as const, version: 2 };
    await deliver(applyAppointmentEvent, appointmentEvent('appointment.booked', booked));
    expect(await held(booked.appointmentId)).toMatchObject({ holds: true, version: 1 });
    await deliver(applyAppointmentEvent, appointmentEvent('appointment.cancelled', cancelled));
    // The booking redelivered after the cancellation changes nothing.
    await deliver(applyAppointmentEvent, appointmentEvent('appointment.booked', booked));
    expect(await held(booked.appointmentId)).toMatchObject({ holds: false, version: 2 });
    const { rows } = await admin.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'routing' AND table_name = 'held_time'`,
    );
    expect(rows.map((r) => r.column_name).sort()).toEqual([
      'appointment_id',
      'ends_at',
      'holds',
      'practitioner_id',
      'starts_at',
      'version',
    ]);
  });

  it('moves a rescheduled appointment’s held time', async () => {
    const booked = appointmentChanged({ practitionerId: 'pr-moved' });
    const moved = {
      ...booked,
      start: '2027-03-09T15:00:00.000Z',
      end: '2027-03-09T15:30:00.000Z',
      version: 2,
    };
    await deliver(applyAppointmentEvent, appointmentEvent('appointment.booked', booked));
    await deliver(applyAppointmentEvent, appointmentEvent('appointment.rescheduled', moved));
    expect(await held(booked.appointmentId)).toMatchObject({
      holds: true,
      version: 2,
      starts_at: new Date('2027-03-09T15:00:00.000Z'),
    });
  });
});

describe('care routing’s consumer tasks', () => {
  it('apply schedule.changed through the event worker, once per event id', async () => {
    const d = scheduleChanged({ specialties: ['Pediatrics'] });
    const e = scheduleEvent(d);
    const publish = () =>
      store.orm.em
        .fork()
        .transactional((em) => publishEvent(em, SCHEMA, { ...e }, [CARE_ROUTING_TASKS.schedules]));
    const log = pino({ level: 'silent' });
    const worker = await startEventWorker({
      connectionString: store.roleUrl,
      schema: SCHEMA,
      orm: store.orm,
      ...careRoutingTasks(
        store.orm,
        {
          cipher: store.cipher,
          accessFactsMaxLagMs: 600_000,
          staleMinutes: 60,
          trafficTtlMinutes: 30,
          weights: parseWeights(undefined),
        },
        log,
      ),
      pollInterval: 100,
      log,
    });
    const drained = async () =>
      (
        await admin.query(
          `SELECT 1 FROM graphile_worker._private_jobs j
             JOIN graphile_worker._private_tasks t ON t.id = j.task_id
            WHERE t.identifier = $1`,
          [CARE_ROUTING_TASKS.schedules],
        )
      ).rowCount === 0;
    try {
      await publish();
      await waitFor(
        async () => (await projected(d.scheduleId)) !== undefined,
        15_000,
        'projection',
      );
      await waitFor(drained, 15_000, 'first delivery');
      await publish();
      await waitFor(drained, 15_000, 'second delivery');
    } finally {
      await worker.stop();
    }
    expect(await projected(d.scheduleId)).toMatchObject({
      specialties: ['Pediatrics'],
      version: 1,
    });
    const { rows } = await admin.query('SELECT consumer FROM routing.inbox WHERE event_id = $1', [
      e.id,
    ]);
    expect(rows).toEqual([{ consumer: CARE_ROUTING_TASKS.schedules }]);
  });
});
