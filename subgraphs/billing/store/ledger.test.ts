import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money } from '../domain/money.js';
import { openBillingTestStore, testClerk, type BillingTestStore } from '../testing.js';
import { recordCharge } from './charges.js';
import { balance, postEntries, reverseEntry } from './ledger.js';
import { takePayment } from './payments.js';

const clerk = testClerk('billing-clerk-1');

let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_ledger');
});
afterAll(async () => store.close());

const em = () => store.orm.em.fork();
const pay = (patientId: string, amountMinor: bigint, idempotencyKey: string) =>
  takePayment(em(), { patientId, amountMinor, currency: 'USD', idempotencyKey, principal: clerk });

describe('charges and reversals', () => {
  it('bills an appointment code once, even when recorded concurrently', async () => {
    const p = randomUUID();
    const appt = randomUUID();
    const charge = { appointmentId: appt, patientId: p, code: 'G0463', units: 2, createdBy: 'evt' };
    const results = await Promise.all(
      [12000n, 12000n, 13000n].map((fee) =>
        em().transactional((tem) => recordCharge(tem, { ...charge, unitFee: money(fee, 'USD') })),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const b = (await balance(em(), p, 'USD')).amountMinor;
    expect([24000n, 26000n]).toContain(b);
  });

  it('reverses an entry once with its exact opposite and never reverses a reversal', async () => {
    const p = randomUUID();
    const { payment } = await pay(p, 4321n, `rev-${p}`);
    const [r1, r2] = await Promise.all([
      reverseEntry(em(), payment.ledgerEntryId, 'clerk-a'),
      reverseEntry(em(), payment.ledgerEntryId, 'clerk-b'),
    ]);
    expect(r1).toEqual(r2);
    expect(r1.amount).toEqual(money(4321n, 'USD'));
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(0n);
    await expect(reverseEntry(em(), r1.id, 'clerk-a')).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    await expect(reverseEntry(em(), randomUUID(), 'clerk-a')).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('refuses wrong signs, wrong causes and a reused entry id with other content', async () => {
    const p = randomUUID();
    const entry = {
      id: randomUUID(),
      patientId: p,
      amount: money(-100n, 'USD'),
      kind: 'adjustment-writeoff' as const,
      cause: { type: 'user' as const, id: 'clerk' },
      createdBy: 'clerk',
    };
    const post = (e: typeof entry | Record<string, unknown>) =>
      em().transactional((tem) => postEntries(tem, [e as typeof entry]));
    expect(await post(entry)).toBe(1);
    expect(await post(entry)).toBe(0);
    await expect(post({ ...entry, amount: money(-101n, 'USD') })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    const bad = { extensions: { code: 'BAD_USER_INPUT' } };
    await expect(
      post({ ...entry, id: randomUUID(), amount: money(5n, 'USD') }),
    ).rejects.toMatchObject(bad);
    await expect(
      post({ ...entry, id: randomUUID(), kind: 'charge', amount: money(5n, 'USD') }),
    ).rejects.toMatchObject(bad);
  });
});

describe('ledger_entry in the database', () => {
  it('refuses UPDATE, DELETE and TRUNCATE, and a reversal that does not mirror its entry', async () => {
    const p = randomUUID();
    const { payment } = await pay(p, 500n, `immutable-${p}`);
    for (const url of [store.roleUrl, store.adminUrl]) {
      const c = new pg.Client(url);
      await c.connect();
      try {
        const id = payment.ledgerEntryId;
        await expect(
          c.query('UPDATE billing.ledger_entry SET amount_minor = 1 WHERE id = $1', [id]),
        ).rejects.toThrow(/immutable/);
        await expect(
          c.query('DELETE FROM billing.ledger_entry WHERE id = $1', [id]),
        ).rejects.toThrow(/immutable/);
        await expect(c.query('TRUNCATE billing.ledger_entry CASCADE')).rejects.toThrow(/immutable/);
        await expect(
          c.query(
            `INSERT INTO billing.ledger_entry (id, account_patient_id, amount_minor, currency, kind,
               cause_type, cause_id, reverses_entry_id, created_by)
             VALUES ($1, $2, 499, 'USD', 'reversal', 'user', 'x', $3, 'x')`,
            [randomUUID(), p, id],
          ),
        ).rejects.toThrow(/mirrors/);
      } finally {
        await c.end();
      }
    }
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-500n);
  });
});
