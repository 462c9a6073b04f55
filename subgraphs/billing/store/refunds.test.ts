import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money, parseMoney } from '../domain/money.js';
import { openBillingTestStore, testClerk, type BillingTestStore } from '../testing.js';
import { balance, reverseEntry } from './ledger.js';
import { paymentsOf } from './payment-views.js';
import { takePayment } from './payments.js';
import { refundPayment } from './refunds.js';

const clerk = testClerk('billing-clerk-1');

let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_refunds');
});
afterAll(async () => store.close());

const em = () => store.orm.em.fork();
const usd = (decimal: string) => parseMoney(decimal, 'USD');
const pay = async (patientId: string, amountMinor: bigint) =>
  (
    await takePayment(em(), {
      patientId,
      amountMinor,
      currency: 'USD',
      idempotencyKey: `pay-${randomUUID()}`,
      principal: clerk,
    })
  ).payment;
const refund = (paymentId: string, decimal: string, idempotencyKey: string, reason = 'Overpaid') =>
  refundPayment(em(), { paymentId, amount: usd(decimal), reason, idempotencyKey, by: clerk.sub });
const bad = (field: string) => ({ extensions: { code: 'BAD_USER_INPUT', field } });

describe('refunds', () => {
  it('refunds once per key: a retry replays the first refund, another amount is CONFLICT', async () => {
    const p = randomUUID();
    const payment = await pay(p, 5000n);
    const first = await refund(payment.id, '12.50', 'refund-key-0001');
    expect(first.replayed).toBe(false);
    expect(first.refund).toMatchObject({
      paymentId: payment.id,
      patientId: p,
      amount: money(1250n, 'USD'),
      reason: 'Overpaid',
      createdBy: clerk.sub,
    });
    expect(first.refund.createdAt).toBeInstanceOf(Date);
    const again = await refund(payment.id, '12.50', 'refund-key-0001');
    expect(again).toEqual({ refund: first.refund, replayed: true });
    await expect(refund(payment.id, '12.51', 'refund-key-0001')).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    await expect(
      refund(payment.id, '12.50', 'refund-key-0001', 'Another reason'),
    ).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-5000n + 1250n);
    const [entry] = await em().execute<{ kind: string; amount: string; cause_id: string }[]>(
      `SELECT kind, amount_minor::text AS amount, cause_id FROM billing.ledger_entry WHERE id = ?`,
      [first.refund.ledgerEntryId],
    );
    expect(entry).toEqual({ kind: 'refund', amount: '1250', cause_id: payment.id });
  });

  it('lets exactly 3 of 10 concurrent 30.00 refunds through against a 100.00 payment', async () => {
    const p = randomUUID();
    const payment = await pay(p, 10000n);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => refund(payment.id, '30.00', `conc-${p}-${i}`)),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(7);
    for (const err of refused) {
      expect(err).toMatchObject(bad('amount'));
      expect((err as Error).message).toContain('10.00 USD');
    }
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-10000n + 9000n);
    const [rows] = await em().execute<{ n: number; total: string }[]>(
      `SELECT count(*)::int AS n, sum(amount_minor)::text AS total FROM billing.refund WHERE payment_id = ?`,
      [payment.id],
    );
    expect(rows).toEqual({ n: 3, total: '9000' });
    // The rest is still refundable, and not a cent more.
    await expect(refund(payment.id, '10.01', `rest-${p}-a`)).rejects.toMatchObject(bad('amount'));
    await refund(payment.id, '10.00', `rest-${p}-b`);
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(0n);
  });

  it('refuses bad input, and a refused refund leaves its key unused', async () => {
    const p = randomUUID();
    const payment = await pay(p, 2000n);
    const key = `bad-${p}`;
    await expect(refund(payment.id, '0.00', key)).rejects.toMatchObject(bad('amount'));
    await expect(refund(payment.id, '-1.00', key)).rejects.toMatchObject(bad('amount'));
    await expect(refund(payment.id, '20.01', key)).rejects.toMatchObject(bad('amount'));
    await expect(
      refundPayment(em(), {
        paymentId: payment.id,
        amount: parseMoney('1.00', 'EUR'),
        reason: 'Wrong currency',
        idempotencyKey: key,
        by: clerk.sub,
      }),
    ).rejects.toMatchObject(bad('amount'));
    await expect(refund(payment.id, '1.00', key, '')).rejects.toMatchObject(bad('reason'));
    await expect(refund(payment.id, '1.00', key, '   ')).rejects.toMatchObject(bad('reason'));
    await expect(refund(payment.id, '1.00', key, 'x'.repeat(501))).rejects.toMatchObject(
      bad('reason'),
    );
    await expect(refund('not-a-uuid', '1.00', key)).rejects.toMatchObject(bad('paymentId'));
    await expect(refund(randomUUID(), '1.00', key)).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    await expect(refund(payment.id, '1.00', 'short')).rejects.toMatchObject(bad('idempotencyKey'));
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-2000n);
    const ok = await refund(payment.id, '20.00', key, 'x'.repeat(500));
    expect(ok.replayed).toBe(false);
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(0n);
  });

  it('does not count a reversed refund, and a reversed payment has nothing to refund', async () => {
    const p = randomUUID();
    const payment = await pay(p, 3000n);
    const { refund: r } = await refund(payment.id, '30.00', `rv-${p}-1`);
    await expect(refund(payment.id, '0.01', `rv-${p}-2`)).rejects.toMatchObject(bad('amount'));
    await em().transactional((tem) => reverseEntry(tem, r.ledgerEntryId, clerk.sub));
    await refund(payment.id, '5.00', `rv-${p}-3`);
    const views = await paymentsOf(em(), [p]);
    expect(views.get(p)?.[0]?.refunded).toEqual(money(500n, 'USD'));
    const other = await pay(p, 1000n);
    await em().transactional((tem) => reverseEntry(tem, other.ledgerEntryId, clerk.sub));
    await expect(refund(other.id, '1.00', `rv-${p}-4`)).rejects.toMatchObject(bad('amount'));
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-3000n + 500n);
  });

  it('lists the payments of many patients with their refunded totals, newest first', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const a1 = await pay(a, 1000n);
    const a2 = await pay(a, 2000n);
    const b1 = await pay(b, 700n);
    await refund(a1.id, '2.50', `view-${a}-1`);
    await refund(a1.id, '1.25', `view-${a}-2`);
    const views = await paymentsOf(em(), [a, b, c]);
    expect(views.get(a)?.map((v) => [v.id, v.refunded.amountMinor])).toEqual([
      [a2.id, 0n],
      [a1.id, 375n],
    ]);
    expect(views.get(b)).toEqual([{ ...b1, refunded: money(0n, 'USD') }]);
    expect(views.get(c)).toEqual([]);
  });
});
