import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceKeys } from '../../platform/crypto/service-keys.js';
import { serviceRoleUrl } from '../../platform/db/provision.js';
import { loadInternalVerifier } from '../../platform/identity/service-keys.js';
import type {
  NotificationChannel,
  OutgoingNotification,
} from '../../subgraphs/scheduling/notifications/channel.js';
import {
  startSchedulingSubgraph,
  type SchedulingSubgraph,
} from '../../subgraphs/scheduling/server.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Patient notifications through the whole stack: a booking is confirmed at
 * once and a reminder is scheduled 24 hours before the start (a
 * graphile-worker job with run_at, one per appointment); a reschedule
 * replaces it; when it comes due it goes out only if the appointment is still
 * booked. Jobs are made due now with reschedule_jobs instead of waiting.
 */
let t: TestStack;
let restarted: SchedulingSubgraph | undefined;
beforeAll(async () => {
  t = await startTestStack('notifications');
});
afterAll(async () => {
  await restarted?.stop();
  await t?.stop();
});

const DAY = 86_400_000;
const REASON = 'NOTIFY-REASON-CANARY';

async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function firstFreeSlot(): Promise<string> {
  const r = await t.gql<{ availableSlots: { start: string }[] }>(
    await t.token('admin'),
    /* GraphQL */ `
      query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
        availableSlots(practitionerId: $p, from: $from, to: $to, first: 1) {
          start
        }
      }
    `,
    {
      p: t.demo.practitionerId,
      from: new Date(Date.now() + 2 * DAY).toISOString(),
      to: new Date(Date.now() + 9 * DAY).toISOString(),
    },
  );
  return r.data!.availableSlots[0]!.start;
}

async function mutate<T>(query: string, variables: object): Promise<T> {
  const r = await t.gql<T>(await t.token('admin'), query, variables);
  expect(r.errors).toBeUndefined();
  return r.data!;
}

const book = async () =>
  (
    await mutate<{ bookAppointment: { id: string; start: string } }>(
      /* GraphQL */ `
        mutation ($input: BookAppointmentInput!) {
          bookAppointment(input: $input) {
            id
            start
          }
        }
      `,
      {
        input: {
          patientId: t.demo.patientId,
          practitionerId: t.demo.practitionerId,
          start: await firstFreeSlot(),
          reason: REASON,
          idempotencyKey: `nt-${randomUUID()}`,
        },
      },
    )
  ).bookAppointment;

interface Row {
  id: string;
  patient_id: string;
  kind: string;
  channel: string;
  status: string;
  due_at: Date;
  sent_at: Date | null;
  attempts: number;
}
const notifications = (appointmentId: string) =>
  t.sql<Row>(
    `SELECT id, patient_id, kind, channel, status, due_at, sent_at, attempts
     FROM scheduling.notification WHERE appointment_id = $1 ORDER BY created_at, kind`,
    [appointmentId],
  );
const byKind = async (appointmentId: string, kind: string) =>
  (await notifications(appointmentId)).filter((n) => n.kind === kind);
const reminderJobs = (appointmentId: string) =>
  t.sql<{ id: string; run_at: Date; payload: { notificationId: string } }>(
    'SELECT id, run_at, payload FROM graphile_worker._private_jobs WHERE key = $1',
    [`scheduling:reminder:${appointmentId}`],
  );
/** Makes the reminder come due now. */
async function dueNow(appointmentId: string): Promise<void> {
  const [job] = await reminderJobs(appointmentId);
  await t.sql('SELECT graphile_worker.reschedule_jobs(ARRAY[$1::bigint], now())', [job!.id]);
}
const sentLines = () =>
  t
    .logs()
    .split('\n')
    .filter((l) => l.includes('"notification sent"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('patient notifications', () => {
  let appt: { id: string; start: string };

  it('confirm a booking at once and schedule its reminder 24 h before the start', async () => {
    appt = await book();
    await waitFor(
      async () => (await byKind(appt.id, 'confirmation'))[0]?.status === 'sent',
      'the confirmation',
    );
    const [confirmation] = await byKind(appt.id, 'confirmation');
    expect(confirmation).toMatchObject({
      patient_id: t.demo.patientId,
      channel: 'log',
      attempts: 1,
    });
    expect(confirmation!.sent_at).toBeInstanceOf(Date);
    const [reminder, ...more] = await byKind(appt.id, 'reminder');
    expect(more).toEqual([]);
    expect(reminder).toMatchObject({ status: 'pending', attempts: 0, sent_at: null });
    expect(reminder!.due_at.getTime()).toBe(Date.parse(appt.start) - DAY);
    const [job, ...others] = await reminderJobs(appt.id);
    expect(others).toEqual([]);
    expect(job!.run_at.getTime()).toBe(Date.parse(appt.start) - DAY);
    expect(job!.payload).toEqual({ notificationId: reminder!.id });

    // Ids and times only: no column for names, contact details or reasons, and none logged.
    const columns = await t.sql<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns
       WHERE table_schema = 'scheduling' AND table_name = 'notification' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual([
      'id',
      'patient_id',
      'appointment_id',
      'kind',
      'channel',
      'status',
      'due_at',
      'sent_at',
      'attempts',
      'created_at',
    ]);
    // Both are audited as scheduling's own doing, naming the booking event that caused them.
    const [booked] = await t.sql<{ id: string }>(
      `SELECT id FROM scheduling.outbox WHERE aggregate_id = $1 AND type = 'appointment.booked'`,
      [appt.id],
    );
    const audited = await t.sql<{ payload: string }>(
      `SELECT payload FROM audit.entry WHERE payload::jsonb ->> 'resourceType' = 'CommunicationRequest'
         AND payload::jsonb ->> 'resourceId' = ANY($1::text[]) ORDER BY seq`,
      [[confirmation!.id, reminder!.id]],
    );
    expect(audited.map((r) => JSON.parse(r.payload) as Record<string, unknown>)).toEqual(
      [confirmation!.id, reminder!.id].map((id): unknown =>
        expect.objectContaining({
          actor: { sub: 'system:scheduling', roles: ['system'], clientId: 'carefed-scheduling' },
          patientId: t.demo.patientId,
          resourceId: id,
          action: 'create',
          requestId: `event:${booked!.id}`,
        }),
      ),
    );
    const line = sentLines().find((l) => l.notificationId === confirmation!.id);
    expect(line).toMatchObject({ kind: 'confirmation', appointmentId: appt.id, channel: 'log' });
    expect(JSON.stringify(line)).not.toContain(t.demo.patientId);
    expect(t.logs()).not.toContain(REASON);
  });

  it('replace the reminder when the appointment moves', async () => {
    const start = await firstFreeSlot();
    await mutate(
      'mutation ($id: ID!, $s: DateTimeISO!, $k: String!) { rescheduleAppointment(id: $id, start: $s, idempotencyKey: $k) { id } }',
      { id: appt.id, s: start, k: `nt-${randomUUID()}` },
    );
    await waitFor(
      async () =>
        (await byKind(appt.id, 'confirmation')).filter((n) => n.status === 'sent').length === 2,
      'the second confirmation',
    );
    const reminders = await byKind(appt.id, 'reminder');
    expect(reminders.map((r) => r.status)).toEqual(['skipped', 'pending']);
    expect(reminders[1]!.due_at.getTime()).toBe(Date.parse(start) - DAY);
    const jobs = await reminderJobs(appt.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.run_at.getTime()).toBe(Date.parse(start) - DAY);
    expect(jobs[0]!.payload).toEqual({ notificationId: reminders[1]!.id });
  });

  it('skip the reminder of a cancelled appointment when it comes due', async () => {
    await mutate(
      'mutation ($id: ID!, $k: String!) { cancelAppointment(id: $id, idempotencyKey: $k) { id } }',
      { id: appt.id, k: `nt-${randomUUID()}` },
    );
    await dueNow(appt.id);
    await waitFor(
      async () => (await byKind(appt.id, 'reminder'))[1]?.status === 'skipped',
      'the reminder to be skipped',
    );
    const reminder = (await byKind(appt.id, 'reminder'))[1]!;
    expect(reminder.sent_at).toBeNull();
    expect(sentLines().some((l) => l.notificationId === reminder.id)).toBe(false);
    expect(await reminderJobs(appt.id)).toEqual([]);
  });

  it('send the reminder of a booked appointment when it comes due', async () => {
    const booked = await book();
    await waitFor(async () => (await reminderJobs(booked.id)).length === 1, 'the reminder job');
    await dueNow(booked.id);
    await waitFor(
      async () => (await byKind(booked.id, 'reminder'))[0]?.status === 'sent',
      'the reminder',
    );
    const [reminder] = await byKind(booked.id, 'reminder');
    expect(sentLines().find((l) => l.notificationId === reminder!.id)).toMatchObject({
      kind: 'reminder',
      appointmentId: booked.id,
    });
  });

  it('go through the configured channel; a failing channel is retried, then marked failed', async () => {
    const sent: OutgoingNotification[] = [];
    let failing = false;
    const channel: NotificationChannel = {
      name: 'test-sms',
      send: (n) => {
        if (failing) return Promise.reject(new Error('gateway down for +1 555 0100'));
        sent.push(n);
        return Promise.resolve();
      },
    };
    await t.stack.subgraph('scheduling').stop();
    const keys = loadServiceKeys(t.config);
    restarted = await startSchedulingSubgraph({
      config: t.config,
      keys,
      databaseUrl: serviceRoleUrl(
        t.stack.adminUrl,
        t.config.DB_ROLE_PREFIX,
        'scheduling',
        keys.dbRoleKey,
      ),
      port: t.stack.subgraph('scheduling').port,
      log: t.stack.log,
      verifier: await loadInternalVerifier(t.config),
      notificationChannel: channel,
    });
    const ok = await book();
    await waitFor(() => sent.length === 1, 'the confirmation through the channel');
    const [row] = await byKind(ok.id, 'confirmation');
    expect(sent[0]).toEqual({
      id: row!.id,
      kind: 'confirmation',
      appointmentId: ok.id,
      patientId: t.demo.patientId,
      start: new Date(ok.start),
    });
    await waitFor(
      async () => (await byKind(ok.id, 'confirmation'))[0]?.status === 'sent',
      'the sent mark',
    );
    expect((await byKind(ok.id, 'confirmation'))[0]!.channel).toBe('test-sms');

    failing = true;
    const bad = await book();
    await waitFor(async () => {
      const [n] = await byKind(bad.id, 'confirmation');
      if (n?.status === 'failed') return true;
      if (n && n.attempts > 0)
        await t.sql(
          `SELECT graphile_worker.reschedule_jobs(array_agg(id), now(), max_attempts => 2)
           FROM graphile_worker._private_jobs WHERE key = $1 AND locked_at IS NULL`,
          [`scheduling:notification:${n.id}`],
        );
      return false;
    }, 'the confirmation to fail');
    expect((await byKind(bad.id, 'confirmation'))[0]).toMatchObject({
      status: 'failed',
      attempts: 2,
      sent_at: null,
    });
    expect(t.logs()).not.toContain('+1 555 0100');
  });
});
