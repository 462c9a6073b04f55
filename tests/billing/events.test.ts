import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  newPatient,
  visit,
  waitForAppointmentState,
  waitForCharges,
  balanceOf,
} from '../support/billing.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Scheduling's appointment events drive billing's charges through the real
 * outbox and graphile-worker: a completed visit is charged once however often
 * its event arrives, a newer cancellation reverses the charge and an older
 * event after it changes nothing, a no-show is charged the configured fee and
 * a cancelled visit nothing. Re-deliveries are enqueued as publishEvent
 * enqueues them (platform/events/publish.ts), with the outbox row's envelope.
 */
let t: TestStack;
const TASK = 'billing:appointments';

beforeAll(async () => {
  t = await startTestStack('billing-events', { BILLING_NO_SHOW_FEE: '25.00' });
});
afterAll(() => t?.stop());

interface Envelope {
  id: string;
  type: string;
  aggregateId: string;
  occurredAt: string;
  data: Record<string, string | number>;
}

/** The appointment's event of `type` as publishEvent enqueued it (the outbox row's envelope). */
async function outboxEvent(appointmentId: string, type: string): Promise<Envelope> {
  const rows = await t.sql<Envelope>(
    `SELECT id, type, aggregate_id AS "aggregateId", payload AS data,
            to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt"
       FROM scheduling.outbox WHERE aggregate_id = $1 AND type = $2`,
    [appointmentId, type],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/**
 * Enqueues `envelope` for billing's consumer, as the database's admin, the way
 * publishEvent does (a graphile-worker job whose payload is the envelope), and
 * waits until the worker has finished it. A job that fails is reported.
 */
async function deliver(envelope: Envelope): Promise<void> {
  const [job] = await t.sql<{ id: string }>(
    'SELECT (graphile_worker.add_job($1, $2::json)).id::text AS id',
    [TASK, JSON.stringify(envelope)],
  );
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [left] = await t.sql<{ attempts: number; last_error: string | null }>(
      'SELECT attempts, last_error FROM graphile_worker._private_jobs WHERE id = $1',
      [job!.id],
    );
    if (!left) return;
    if (left.last_error) throw new Error(`billing failed the event: ${left.last_error}`);
    if (Date.now() > deadline) throw new Error('billing never ran the event');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until billing's appointment consumer has no job left for these events (as publishEvent keyed them). */
async function drained(eventIds: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [row] = await t.sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM graphile_worker._private_jobs
        WHERE key IN (SELECT $1 || ':' || unnest($2::text[]))`,
      [TASK, eventIds],
    );
    if (row!.n === '0') return;
    if (Date.now() > deadline) throw new Error('billing jobs never drained');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ledgerOf(patientId: string) {
  return t.sql<{
    id: string;
    kind: string;
    amount_minor: string;
    cause_type: string;
    cause_id: string;
    reverses_entry_id: string | null;
  }>(
    `SELECT id, kind, amount_minor::text AS amount_minor, cause_type, cause_id, reverses_entry_id
       FROM billing.ledger_entry WHERE account_patient_id = $1 ORDER BY created_at, id`,
    [patientId],
  );
}

async function chargesOf(appointmentId: string) {
  return t.sql<{
    id: string;
    code: string;
    kind: string;
    amount_minor: string;
    ledger_entry_id: string;
  }>(
    `SELECT id, code, kind, amount_minor::text AS amount_minor, ledger_entry_id
       FROM billing.charge WHERE appointment_id = $1`,
    [appointmentId],
  );
}

async function inboxCount(eventId: string): Promise<number> {
  const [row] = await t.sql<{ n: string }>(
    'SELECT count(*)::text AS n FROM billing.inbox WHERE consumer = $1 AND event_id = $2',
    [TASK, eventId],
  );
  return Number(row!.n);
}

describe('billing’s appointment consumer, on the real worker', () => {
  it('charges a completed appointment one G0463 (136.02)', async () => {
    const patientId = await newPatient(t, 'events-complete');
    const appointmentId = await visit(t, patientId);
    const charges = await waitForCharges(t, appointmentId);
    expect(charges).toEqual([
      { id: expect.any(String), code: 'G0463', amount_minor: '13602', kind: 'service' },
    ]);
    await waitForAppointmentState(t, appointmentId, 'fulfilled');
    const entries = await ledgerOf(patientId);
    expect(entries).toEqual([
      {
        id: expect.any(String),
        kind: 'charge',
        amount_minor: '13602',
        cause_type: 'appointment',
        cause_id: appointmentId,
        reverses_entry_id: null,
      },
    ]);
    expect(await balanceOf(t, patientId)).toBe('136.02');

    const seen = await t.gql<{
      appointment: { charges: { code: string; kind: string; amount: { amount: string } }[] };
    }>(
      await t.token('admin'),
      'query ($id: ID!) { appointment(id: $id) { charges { code kind reversed amount { amount } } } }',
      { id: appointmentId },
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.appointment.charges).toEqual([
      { code: 'G0463', kind: 'service', reversed: false, amount: { amount: '136.02' } },
    ]);
  });

  it('audits each charge it creates as billing’s system access, naming the event that caused it', async () => {
    const patientId = await newPatient(t, 'events-audit');
    const appointmentId = await visit(t, patientId);
    const [charge] = await waitForCharges(t, appointmentId);
    const completed = await outboxEvent(appointmentId, 'appointment.completed');
    await drained([completed.id]);
    const rows = await t.sql<{ payload: string }>(
      `SELECT payload FROM audit.entry
        WHERE patient_id = $1 AND payload::jsonb ->> 'resourceType' = 'ChargeItem'`,
      [patientId],
    );
    expect(rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        actor: { sub: 'system:billing', roles: ['system'], clientId: 'carefed-billing' },
        resourceId: charge!.id,
        action: 'create',
        outcome: 'permit',
        purpose: 'HPAYMT',
        requestId: `event:${completed.id}`,
        reason: `event:appointment.completed:${completed.id}`,
      }),
    ]);
  });

  it('creates no second charge when the completed event is delivered again', async () => {
    const patientId = await newPatient(t, 'events-dup');
    const appointmentId = await visit(t, patientId);
    await waitForCharges(t, appointmentId);
    const completed = await outboxEvent(appointmentId, 'appointment.completed');
    expect(completed.data).toMatchObject({ appointmentId, patientId, status: 'fulfilled' });
    // The first delivery has finished (its inbox row is committed) before the duplicate.
    await drained([completed.id]);
    expect(await inboxCount(completed.id)).toBe(1);
    const before = await ledgerOf(patientId);

    await deliver(completed);
    // Twice more, at once: the inbox absorbs concurrent duplicates too.
    await Promise.all([deliver(completed), deliver(completed)]);

    expect(await chargesOf(appointmentId)).toHaveLength(1);
    const after = await ledgerOf(patientId);
    expect(after).toEqual(before);
    expect(after).toHaveLength(1);
    expect(await inboxCount(completed.id)).toBe(1);
    expect(await balanceOf(t, patientId)).toBe('136.02');

    // The same completion under another event id passes the inbox, and the version stops it.
    const copy: Envelope = { ...completed, id: randomUUID() };
    await deliver(copy);
    expect(await inboxCount(copy.id)).toBe(1);
    expect(await chargesOf(appointmentId)).toHaveLength(1);
    expect(await ledgerOf(patientId)).toEqual(before);
  });

  it('reverses the charge on a newer cancellation, and ignores an older completion after it', async () => {
    const patientId = await newPatient(t, 'events-order');
    const appointmentId = await visit(t, patientId);
    const [charge] = await waitForCharges(t, appointmentId);
    const completed = await outboxEvent(appointmentId, 'appointment.completed');
    await drained([completed.id]);
    const version = Number(completed.data.version);
    expect(version).toBeGreaterThan(1);
    const chargeEntry = (await chargesOf(appointmentId))[0]!.ledger_entry_id;

    // A cancellation billing hears of after the completion, of a higher version.
    const cancelled: Envelope = {
      id: randomUUID(),
      type: 'appointment.cancelled',
      aggregateId: appointmentId,
      occurredAt: new Date().toISOString(),
      data: { ...completed.data, status: 'cancelled', version: version + 1 },
    };
    await deliver(cancelled);
    await waitForAppointmentState(t, appointmentId, 'cancelled');
    const reversed = await ledgerOf(patientId);
    expect(reversed).toEqual([
      expect.objectContaining({ kind: 'charge', amount_minor: '13602', reverses_entry_id: null }),
      expect.objectContaining({
        kind: 'reversal',
        amount_minor: '-13602',
        cause_type: 'appointment',
        cause_id: appointmentId,
        reverses_entry_id: chargeEntry,
      }),
    ]);
    expect(await balanceOf(t, patientId)).toBe('0.00');
    expect(await chargesOf(appointmentId)).toEqual([
      expect.objectContaining({ id: charge!.id, code: 'G0463' }),
    ]);
    const seen = await t.gql<{ appointment: { charges: { code: string; reversed: boolean }[] } }>(
      await t.token('admin'),
      'query ($id: ID!) { appointment(id: $id) { charges { code reversed } } }',
      { id: appointmentId },
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.appointment.charges).toEqual([{ code: 'G0463', reversed: true }]);

    // An older completion arriving late (a new event id, so the inbox does not absorb it): nothing changes.
    const late: Envelope = { ...completed, id: randomUUID(), occurredAt: new Date().toISOString() };
    await deliver(late);
    expect(await inboxCount(late.id)).toBe(1);
    expect(await ledgerOf(patientId)).toEqual(reversed);
    expect(await chargesOf(appointmentId)).toHaveLength(1);
    const [state] = await t.sql<{ status: string; version: number }>(
      'SELECT status, version FROM billing.appointment_state WHERE appointment_id = $1',
      [appointmentId],
    );
    expect(state).toEqual({ status: 'cancelled', version: version + 1 });
    // The same cancellation again changes nothing either.
    await deliver(cancelled);
    expect(await ledgerOf(patientId)).toEqual(reversed);
    expect(await balanceOf(t, patientId)).toBe('0.00');
  });

  it('charges a no-show the configured fee (25.00) once', async () => {
    const patientId = await newPatient(t, 'events-noshow');
    const appointmentId = await visit(t, patientId, 'noshow');
    const charges = await waitForCharges(t, appointmentId);
    expect(charges).toEqual([
      { id: expect.any(String), code: 'NO-SHOW', amount_minor: '2500', kind: 'no-show-fee' },
    ]);
    const noShow = await outboxEvent(appointmentId, 'appointment.no-show');
    await drained([noShow.id]);
    await deliver(noShow);
    expect(await chargesOf(appointmentId)).toHaveLength(1);
    expect((await ledgerOf(patientId)).map((e) => `${e.kind} ${e.amount_minor}`)).toEqual([
      'charge 2500',
    ]);
    expect(await balanceOf(t, patientId)).toBe('25.00');
    const seen = await t.gql<{ appointment: { charges: unknown[] } }>(
      await t.token('admin'),
      'query ($id: ID!) { appointment(id: $id) { charges { code kind units amount { amount } } } }',
      { id: appointmentId },
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.appointment.charges).toEqual([
      { code: 'NO-SHOW', kind: 'noShowFee', units: 1, amount: { amount: '25.00' } },
    ]);
  });

  it('never charges a cancelled appointment', async () => {
    const patientId = await newPatient(t, 'events-cancel');
    const appointmentId = await visit(t, patientId, 'cancelled');
    const cancelled = await outboxEvent(appointmentId, 'appointment.cancelled');
    await waitForAppointmentState(t, appointmentId, 'cancelled');
    await drained([cancelled.id]);
    expect(await inboxCount(cancelled.id)).toBe(1);
    expect(await chargesOf(appointmentId)).toEqual([]);
    expect(await ledgerOf(patientId)).toEqual([]);
    expect(await balanceOf(t, patientId)).toBe('0.00');
  });
});
