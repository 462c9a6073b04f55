import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventWorker } from '../../../platform/events/consumer.js';
import type { EventEnvelope, JsonValue } from '../../../platform/events/envelope.js';
import { publishEvent } from '../../../platform/events/publish.js';
import { waitFor } from '../../../platform/events/testing/db.js';
import { DEFAULT_POLICY, type BillingPolicy } from '../domain/charge-policy.js';
import { money } from '../domain/money.js';
import { BILLING_TASKS, billingTasks } from '../events.js';
import { importReferenceData } from '../reference/import.js';
import { openBillingTestStore, type BillingTestStore } from '../testing.js';
import { applyAppointmentEvent, BILLING_SYSTEM } from './appointment-events.js';
import { chargesByAppointment } from './charges.js';
import { balance } from './ledger.js';

let store: BillingTestStore;
let admin: pg.Client;
beforeAll(async () => {
  store = await openBillingTestStore('billing_appointment_events', { events: true });
  await importReferenceData(store.orm.em.fork());
  admin = new pg.Client(store.adminUrl);
  await admin.connect();
});
afterAll(async () => {
  await admin.end();
  await store.close();
});

const em = () => store.orm.em.fork();
const withFee: BillingPolicy = { ...DEFAULT_POLICY, noShowFee: money(2500n, 'USD') };

const TYPES: Record<string, string> = {
  booked: 'appointment.booked',
  fulfilled: 'appointment.completed',
  cancelled: 'appointment.cancelled',
  noshow: 'appointment.no-show',
  arrived: 'appointment.arrived',
};

/** One appointment of a fresh patient, and its events as scheduling publishes them. */
function appointment() {
  const a = {
    appointmentId: randomUUID(),
    patientId: randomUUID(),
    practitionerId: randomUUID(),
    facilityId: 'fac-1',
    start: '2026-03-02T15:00:00.000Z',
    end: '2026-03-02T15:30:00.000Z',
  };
  const event = (status: string, version: number, id = randomUUID()): EventEnvelope => ({
    id,
    type: TYPES[status] ?? 'appointment.booked',
    aggregateId: a.appointmentId,
    occurredAt: new Date().toISOString(),
    data: { ...a, status, version },
  });
  return { ...a, event };
}

const apply = (e: EventEnvelope, policy: BillingPolicy = DEFAULT_POLICY) =>
  applyAppointmentEvent(em(), e, policy);
const charges = (appointmentId: string) => chargesByAppointment(em(), [appointmentId]);
const owed = async (patientId: string) => (await balance(em(), patientId, 'USD')).amountMinor;
const entries = async (patientId: string) =>
  (
    await admin.query<{ kind: string; amount: string; cause_type: string; created_by: string }>(
      `SELECT kind, amount_minor::text AS amount, cause_type, created_by FROM billing.ledger_entry
       WHERE account_patient_id = $1 ORDER BY created_at, kind`,
      [patientId],
    )
  ).rows;
const state = async (appointmentId: string) =>
  (
    await admin.query<{ status: string; version: number }>(
      'SELECT status, version FROM billing.appointment_state WHERE appointment_id = $1',
      [appointmentId],
    )
  ).rows[0];

describe('applyAppointmentEvent', () => {
  it('charges a completed appointment G0463 at 136.02', async () => {
    const a = appointment();
    expect(await apply(a.event('booked', 1))).toMatchObject({ applied: true, charged: [] });
    const r = await apply(a.event('fulfilled', 2));
    expect(r).toMatchObject({ applied: true, reversed: [] });
    expect(r.charged).toHaveLength(1);
    const [c] = await charges(a.appointmentId);
    expect(c).toMatchObject({
      id: r.charged[0],
      patientId: a.patientId,
      code: 'G0463',
      kind: 'service',
      description: 'Hospital outpt clinic visit',
      units: 1,
      unitFee: money(13602n, 'USD'),
      amount: money(13602n, 'USD'),
      reversed: false,
    });
    expect(await owed(a.patientId)).toBe(13602n);
    expect(await entries(a.patientId)).toEqual([
      { kind: 'charge', amount: '13602', cause_type: 'appointment', created_by: BILLING_SYSTEM },
    ]);
    expect(await state(a.appointmentId)).toEqual({ status: 'fulfilled', version: 2 });
  });

  it('applies an event whose practitioner id is a FHIR id rather than a UUID, as scheduling’s contract allows', async () => {
    const a = appointment();
    const e = a.event('fulfilled', 2);
    const r = await apply({
      ...e,
      data: { ...(e.data as Record<string, JsonValue>), practitionerId: 'prac-7' },
    });
    expect(r).toMatchObject({ patientId: a.patientId, applied: true });
    expect(await charges(a.appointmentId)).toHaveLength(1);
  });

  it('applies the same event twice as once', async () => {
    const a = appointment();
    const e = a.event('fulfilled', 2);
    await apply(e);
    expect(await apply(e)).toEqual({
      patientId: a.patientId,
      applied: false,
      charged: [],
      reversed: [],
    });
    expect(await charges(a.appointmentId)).toHaveLength(1);
    expect(await entries(a.patientId)).toHaveLength(1);
    expect(await owed(a.patientId)).toBe(13602n);
  });

  it('ignores another event of the same version (new event id)', async () => {
    const a = appointment();
    await apply(a.event('fulfilled', 2));
    expect(await apply(a.event('fulfilled', 2))).toMatchObject({ applied: false });
    expect(await apply(a.event('booked', 1))).toMatchObject({ applied: false });
    expect(await entries(a.patientId)).toHaveLength(1);
    expect(await state(a.appointmentId)).toEqual({ status: 'fulfilled', version: 2 });
  });

  it('never charges when the cancellation (v3) arrives before the completion (v2)', async () => {
    const a = appointment();
    await apply(a.event('cancelled', 3));
    expect(await apply(a.event('fulfilled', 2))).toMatchObject({ applied: false, charged: [] });
    expect(await charges(a.appointmentId)).toEqual([]);
    expect(await entries(a.patientId)).toEqual([]);
    expect(await state(a.appointmentId)).toEqual({ status: 'cancelled', version: 3 });
  });

  it('reverses the charge when a cancellation (v3) supersedes the completion (v2)', async () => {
    const a = appointment();
    await apply(a.event('fulfilled', 2));
    const r = await apply(a.event('cancelled', 3));
    const [c] = await charges(a.appointmentId);
    expect(r).toEqual({
      patientId: a.patientId,
      applied: true,
      charged: [],
      reversed: [c?.ledgerEntryId],
    });
    expect(c?.reversed).toBe(true);
    expect(await owed(a.patientId)).toBe(0n);
    expect(await entries(a.patientId)).toEqual([
      { kind: 'charge', amount: '13602', cause_type: 'appointment', created_by: BILLING_SYSTEM },
      { kind: 'reversal', amount: '-13602', cause_type: 'appointment', created_by: BILLING_SYSTEM },
    ]);
    // Redelivered, either event changes nothing more.
    await apply(a.event('cancelled', 3));
    await apply(a.event('fulfilled', 2));
    expect(await entries(a.patientId)).toHaveLength(2);
  });

  it('charges a no-show fee by policy only', async () => {
    const a = appointment();
    const r = await apply(a.event('noshow', 2), withFee);
    expect(r.charged).toHaveLength(1);
    expect(await charges(a.appointmentId)).toMatchObject([
      { code: 'NO-SHOW', kind: 'no-show-fee', amount: money(2500n, 'USD'), description: null },
    ]);
    expect(await owed(a.patientId)).toBe(2500n);

    const b = appointment();
    expect(await apply(b.event('noshow', 2))).toMatchObject({ applied: true, charged: [] });
    expect(await charges(b.appointmentId)).toEqual([]);
    expect(await state(b.appointmentId)).toEqual({ status: 'noshow', version: 2 });
  });

  it('throws on a malformed payload without echoing it, and writes nothing', async () => {
    const a = appointment();
    const good = a.event('fulfilled', 2);
    const data = good.data as Record<string, JsonValue>;
    const bad: EventEnvelope[] = [
      { ...good, data: { ...data, version: 'SECRET-VERSION' } },
      { ...good, data: { ...data, version: 0 } },
      { ...good, data: { ...data, version: 1.5 } },
      { ...good, data: { ...data, patientId: 'Jane SECRET Doe' } },
      { ...good, data: { ...data, status: 'SECRET-STATUS' } },
      { ...good, data: { ...data, start: 'SECRET-DATE' } },
      { ...good, data: 'SECRET' },
      { ...good, aggregateId: randomUUID() },
      { ...good, type: 'consent.changed' },
    ];
    for (const e of bad) {
      const err = await apply(e).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(good.id);
      expect((err as Error).message).not.toMatch(/SECRET|Jane/);
    }
    await expect(apply(bad[3]!)).rejects.toThrow(/invalid fields: patientId$/);
    expect(await state(a.appointmentId)).toBeUndefined();
    expect(await entries(a.patientId)).toEqual([]);
  });

  it('refuses to charge a code without a rate, naming it, and keeps nothing of the event', async () => {
    const a = appointment();
    const e = a.event('fulfilled', 2);
    const policy = { ...DEFAULT_POLICY, visitCodes: [{ code: 'A9513', units: 1 }] };
    await expect(apply(e, policy)).rejects.toThrow(
      'Fee schedule has no payment rate for code A9513',
    );
    await expect(
      apply(e, { ...DEFAULT_POLICY, visitCodes: [{ code: 'Z9999', units: 1 }] }),
    ).rejects.toThrow('Fee schedule has no code Z9999');
    expect(await state(a.appointmentId)).toBeUndefined();
    // Once the policy is fixed, the retried event charges.
    expect((await apply(e)).charged).toHaveLength(1);
  });

  it('settles concurrent deliveries of a completion and its cancellation at zero', async () => {
    for (let i = 0; i < 5; i++) {
      const a = appointment();
      const done = a.event('fulfilled', 2);
      const cancel = a.event('cancelled', 3);
      await Promise.all([apply(done), apply(cancel), apply(done), apply(a.event('fulfilled', 2))]);
      expect(await owed(a.patientId)).toBe(0n);
      expect(await state(a.appointmentId)).toEqual({ status: 'cancelled', version: 3 });
      const cs = await charges(a.appointmentId);
      expect(cs.length).toBeLessThanOrEqual(1);
      expect(cs.every((c) => c.reversed)).toBe(true);
    }
  });
});

describe('through the event worker', () => {
  const logLines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const task = BILLING_TASKS.appointments;

  const jobs = async () =>
    (
      await admin.query<{ attempts: number; last_error: string | null }>(
        'SELECT attempts, last_error FROM graphile_worker.jobs WHERE task_identifier = $1',
        [task],
      )
    ).rows;
  const drained = async () => (await jobs()).length === 0;
  const publish = (e: EventEnvelope, maxAttempts?: number) =>
    em().transactional((tem) =>
      publishEvent(
        tem,
        'billing',
        {
          id: e.id,
          type: e.type,
          aggregateId: e.aggregateId,
          data: e.data,
          occurredAt: e.occurredAt,
        },
        [task],
        maxAttempts ? { maxAttempts } : {},
      ),
    );
  const withWorker = async (body: () => Promise<void>, concurrency = 1) => {
    const worker = await startEventWorker({
      connectionString: store.roleUrl,
      schema: 'billing',
      orm: store.orm,
      ...billingTasks({ policy: DEFAULT_POLICY, log }),
      concurrency,
      pollInterval: 100,
      log,
    });
    try {
      await body();
    } finally {
      await worker.stop();
    }
  };

  it('charges once when the same event is published twice', async () => {
    const a = appointment();
    const e = a.event('fulfilled', 2);
    await withWorker(async () => {
      await publish(e);
      await waitFor(drained, 15_000, 'first delivery');
      await publish(e);
      await waitFor(drained, 15_000, 'second delivery');
    });
    expect(await charges(a.appointmentId)).toHaveLength(1);
    expect(await entries(a.patientId)).toHaveLength(1);
    expect(await owed(a.patientId)).toBe(13602n);
    const { rows: inbox } = await admin.query(
      'SELECT consumer FROM billing.inbox WHERE event_id = $1',
      [e.id],
    );
    expect(inbox).toEqual([{ consumer: task }]);
    // Both deliveries ran: the second found the inbox claim.
    const logged = logLines.map((l) => JSON.parse(l) as { eventId?: string; msg: string });
    expect(logged.filter((l) => l.eventId === e.id).map((l) => l.msg)).toEqual([
      'appointment charges updated',
      'event applied',
      'event already applied; skipped',
    ]);
    expect(logLines.join('')).not.toContain(a.patientId);
  });

  it('charges once when duplicate jobs of one event run concurrently', async () => {
    const a = appointment();
    const e = a.event('fulfilled', 2);
    // Two queued jobs of one event (no job key), as a redelivery after a crash may leave.
    for (let i = 0; i < 3; i++)
      await admin.query('SELECT graphile_worker.add_job($1, $2::json)', [task, JSON.stringify(e)]);
    await withWorker(() => waitFor(drained, 15_000, 'duplicate deliveries'), 3);
    expect(await charges(a.appointmentId)).toHaveLength(1);
    expect(await owed(a.patientId)).toBe(13602n);
  });

  it('leaves a malformed event failed, without its values in the error', async () => {
    const a = appointment();
    const e = a.event('fulfilled', 2);
    const data = { ...(e.data as Record<string, JsonValue>), version: 'SECRET-VALUE' };
    await publish({ ...e, data }, 1);
    await withWorker(() =>
      waitFor(async () => (await jobs()).some((j) => j.attempts === 1 && j.last_error), 15_000),
    );
    const [job] = await jobs();
    expect(job?.last_error).toContain('invalid fields: version');
    expect(job?.last_error).not.toContain('SECRET');
    expect(await state(a.appointmentId)).toBeUndefined();
    await admin.query(
      'DELETE FROM graphile_worker._private_jobs WHERE task_id IN (SELECT id FROM graphile_worker._private_tasks WHERE identifier = $1)',
      [task],
    );
  });
});
