import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventWorker } from '../../../platform/events/consumer.js';
import type { EventEnvelope, JsonValue } from '../../../platform/events/envelope.js';
import { publishEvent } from '../../../platform/events/publish.js';
import { waitFor } from '../../../platform/events/testing/db.js';
import { DEFAULT_POLICY } from '../domain/charge-policy.js';
import { money } from '../domain/money.js';
import { BILLING_TASKS, billingTasks } from '../events.js';
import { openBillingTestStore, type BillingTestStore } from '../testing.js';
import { BILLING_SYSTEM } from './appointment-events.js';
import { applyDispenseEvent, dispenseChargesOf } from './dispense-charges.js';
import { balance, reverseEntry } from './ledger.js';
import { issueStatement, statementLinesPage } from './statements.js';

let store: BillingTestStore;
let admin: pg.Client;
beforeAll(async () => {
  store = await openBillingTestStore('billing_dispense_charges', { events: true });
  admin = new pg.Client(store.adminUrl);
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await store?.close();
});

const em = () => store.orm.em.fork();

/** A dispense of a fresh patient, and its `pharmacy.dispensed` event as pharmacy publishes it. */
function dispensed(quantity = 30, unitPriceMinor = '125', currency = 'USD') {
  const d = {
    dispenseId: randomUUID(),
    prescriptionId: randomUUID(),
    patientId: randomUUID(),
    facilityId: 'loc-main.1',
    drugRxcui: '197361',
    quantity,
    unitPriceMinor,
    currency,
    dispensedAt: '2026-12-02T10:00:00.000Z',
  };
  const event = (id = randomUUID()): EventEnvelope => ({
    id,
    type: 'pharmacy.dispensed',
    aggregateId: d.dispenseId,
    occurredAt: d.dispensedAt,
    data: d,
  });
  return { ...d, event };
}

const apply = (e: EventEnvelope) => applyDispenseEvent(em(), e, DEFAULT_POLICY);
const owed = async (patientId: string) => (await balance(em(), patientId, 'USD')).amountMinor;
const entries = async (patientId: string) =>
  (
    await admin.query<{ kind: string; amount: string; cause_type: string; cause_id: string }>(
      `SELECT kind, amount_minor::text AS amount, cause_type, cause_id FROM billing.ledger_entry
       WHERE account_patient_id = $1 ORDER BY created_at, kind`,
      [patientId],
    )
  ).rows;

describe('applyDispenseEvent', () => {
  it('charges quantity × unit price to the patient once, caused by the dispense', async () => {
    const d = dispensed(30, '125');
    const e = d.event();
    const first = await apply(e);
    expect(first.patientId).toBe(d.patientId);
    expect(first.charged).toHaveLength(1);
    expect(await apply(e)).toEqual({ patientId: d.patientId, charged: [] });
    // Another event id for the same dispense (a re-publish after a crash): still once.
    expect(await apply(d.event())).toEqual({ patientId: d.patientId, charged: [] });
    expect(await entries(d.patientId)).toEqual([
      { kind: 'charge', amount: '3750', cause_type: 'dispense', cause_id: d.dispenseId },
    ]);
    expect(await owed(d.patientId)).toBe(3750n);
    const charge = (await dispenseChargesOf(em(), [d.dispenseId])).get(d.dispenseId);
    expect(charge).toMatchObject({
      id: first.charged[0],
      prescriptionId: d.prescriptionId,
      patientId: d.patientId,
      drugRxcui: '197361',
      quantity: 30,
      unitPrice: money(125n, 'USD'),
      amount: money(3750n, 'USD'),
      reversed: false,
    });
  });

  it('charges once when the same event is delivered concurrently', async () => {
    for (let i = 0; i < 5; i++) {
      const d = dispensed(7, '1999');
      const e = d.event();
      const outcomes = await Promise.all([apply(e), apply(e), apply(d.event()), apply(e)]);
      expect(outcomes.flatMap((o) => o.charged)).toHaveLength(1);
      expect(await entries(d.patientId)).toHaveLength(1);
      expect(await owed(d.patientId)).toBe(13993n);
    }
  });

  it('is on the account’s balance and its next statement, and can be reversed like any charge', async () => {
    const d = dispensed(2, '500');
    const [chargeId] = (await apply(d.event())).charged;
    const { statement } = await em().transactional((tem) =>
      issueStatement(tem, {
        patientId: d.patientId,
        currency: 'USD',
        idempotencyKey: `stmt-${d.dispenseId}`,
        by: 'billing-clerk-1',
      }),
    );
    expect(statement.closing).toEqual(money(1000n, 'USD'));
    const lines = (await statementLinesPage(em(), [statement.id], 10)).get(statement.id);
    expect(
      lines?.edges.map(({ node: l }) => [l.kind, l.amount.amountMinor, l.appointmentId]),
    ).toEqual([['charge', 1000n, null]]);
    const charge = (await dispenseChargesOf(em(), [d.dispenseId])).get(d.dispenseId)!;
    expect(charge.id).toBe(chargeId);
    await em().transactional((tem) => reverseEntry(tem, charge.ledgerEntryId, 'billing-clerk-1'));
    expect(await owed(d.patientId)).toBe(0n);
    expect((await dispenseChargesOf(em(), [d.dispenseId])).get(d.dispenseId)?.reversed).toBe(true);
  });

  it('charges nothing for a zero price, refuses another currency, and never echoes a malformed payload', async () => {
    const free = dispensed(3, '0');
    expect(await apply(free.event())).toEqual({ patientId: free.patientId, charged: [] });
    expect(await entries(free.patientId)).toEqual([]);
    const eur = dispensed(3, '100', 'EUR');
    await expect(apply(eur.event())).rejects.toThrow(/kept in USD, not EUR/);
    expect(await entries(eur.patientId)).toEqual([]);
    const d = dispensed();
    const good = d.event();
    const data = good.data as Record<string, JsonValue>;
    const bad: EventEnvelope[] = [
      { ...good, data: { ...data, quantity: 'SECRET' } },
      { ...good, data: { ...data, unitPriceMinor: '-5' } },
      { ...good, data: { ...data, unitPriceMinor: 12.5 } },
      { ...good, data: { ...data, patientId: 'Jane SECRET Doe' } },
      { ...good, aggregateId: randomUUID() },
      { ...good, type: 'appointment.completed' },
    ];
    for (const e of bad) {
      const err = (await apply(e).catch((x: unknown) => x)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toContain(good.id);
      expect(err.message).not.toMatch(/SECRET|Jane/);
    }
    expect(await entries(d.patientId)).toEqual([]);
  });

  it('keeps dispense charges append-only', async () => {
    const d = dispensed(1, '100');
    await apply(d.event());
    await expect(
      em().execute('UPDATE billing.dispense_charge SET quantity = 2 WHERE dispense_id = ?', [
        d.dispenseId,
      ]),
    ).rejects.toThrow(/immutable/);
    await expect(
      em().execute('DELETE FROM billing.dispense_charge WHERE dispense_id = ?', [d.dispenseId]),
    ).rejects.toThrow(/immutable/);
  });
});

describe('through the event worker', () => {
  const log = pino({ level: 'silent' });
  const task = BILLING_TASKS.dispenses;
  const drained = async () =>
    (await admin.query('SELECT 1 FROM graphile_worker.jobs WHERE task_identifier = $1', [task]))
      .rows.length === 0;
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

  it('charges once and audits it, whether the event is published twice or its jobs run concurrently', async () => {
    const d = dispensed(4, '250');
    const e = d.event(d.dispenseId);
    const publish = () =>
      em().transactional((tem) =>
        publishEvent(
          tem,
          'billing',
          { id: e.id, type: e.type, aggregateId: e.aggregateId, data: e.data },
          [task],
        ),
      );
    await withWorker(async () => {
      await publish();
      await waitFor(drained, 15_000, 'first delivery');
      await publish();
      await waitFor(drained, 15_000, 'second delivery');
    });
    // Duplicate jobs of one event (no job key), as a redelivery after a crash may leave.
    for (let i = 0; i < 3; i++)
      await admin.query('SELECT graphile_worker.add_job($1, $2::json)', [task, JSON.stringify(e)]);
    await withWorker(() => waitFor(drained, 15_000, 'duplicate deliveries'), 3);
    expect(await entries(d.patientId)).toHaveLength(1);
    expect(await owed(d.patientId)).toBe(1000n);
    const charge = (await dispenseChargesOf(em(), [d.dispenseId])).get(d.dispenseId)!;
    const { rows: audit } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit.entry WHERE patient_id = $1
         AND payload::text LIKE '%' || $2 || '%' AND payload::text LIKE '%' || $3 || '%'`,
      [d.patientId, charge.id, BILLING_SYSTEM],
    );
    expect(audit).toEqual([{ n: 1 }]);
  });
});
