import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { money, parseMoney } from '../domain/money.js';
import { openBillingTestStore, testClerk, type BillingTestStore } from '../testing.js';
import { balance, reverseEntry } from './ledger.js';
import { paymentsPage, paymentView } from './payment-views.js';
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
    expect((await paymentView(em(), payment.id))?.refunded).toEqual(money(500n, 'USD'));
    const other = await pay(p, 1000n);
    await em().transactional((tem) => reverseEntry(tem, other.ledgerEntryId, clerk.sub));
    await expect(refund(other.id, '1.00', `rv-${p}-4`)).rejects.toMatchObject(bad('amount'));
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-3000n + 500n);
  });

  it('pages the payments of many patients with their refunded totals, newest first, in one SQL statement', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const a1 = await pay(a, 1000n);
    const a2 = await pay(a, 2000n);
    const a3 = await pay(a, 3000n);
    const b1 = await pay(b, 700n);
    await refund(a1.id, '2.50', `view-${a}-1`);
    await refund(a1.id, '1.25', `view-${a}-2`);
    const e = em();
    const execute = vi.spyOn(e, 'execute');
    const page1 = await paymentsPage(e, [a, b, c], 2);
    expect(execute).toHaveBeenCalledTimes(1);
    const pa = page1.get(a)!;
    expect(pa.edges.map((x) => [x.node.id, x.node.refunded.amountMinor])).toEqual([
      [a3.id, 0n],
      [a2.id, 0n],
    ]);
    expect(pa.hasNextPage).toBe(true);
    expect(page1.get(b)).toEqual({
      edges: [{ cursor: expect.any(String), node: { ...b1, refunded: money(0n, 'USD') } }],
      hasNextPage: false,
    });
    expect(page1.get(c)).toEqual({ edges: [], hasNextPage: false });

    const page2 = (await paymentsPage(em(), [a], 2, pa.edges[1]!.cursor)).get(a)!;
    expect(page2.edges.map((x) => [x.node.id, x.node.refunded.amountMinor])).toEqual([
      [a1.id, 375n],
    ]);
    expect(page2.hasNextPage).toBe(false);
    expect(await paymentView(em(), a1.id)).toEqual(page2.edges[0]!.node);
    expect(await paymentView(em(), randomUUID())).toBeNull();
  });

  it('pages exactly at microsecond-apart payments (the cursor keeps every digit)', async () => {
    const p = randomUUID();
    const ids = [await pay(p, 100n), await pay(p, 200n), await pay(p, 300n)].map((x) => x.id);
    // Within one millisecond of each other: a cursor of a JS Date would lose their order.
    // Payments are immutable (a trigger): the test, as the unguarded owner, lifts it meanwhile.
    await em().transactional(async (tem) => {
      await tem.execute('ALTER TABLE billing.payment DISABLE TRIGGER payment_no_update');
      await tem.execute(
        `UPDATE billing.payment SET created_at = '2026-03-01T10:00:00.000100Z'::timestamptz
           + (amount_minor / 100) * interval '1 microsecond' WHERE patient_id = ?`,
        [p],
      );
      await tem.execute('ALTER TABLE billing.payment ENABLE TRIGGER payment_no_update');
    });
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await paymentsPage(em(), [p], 1, after)).get(p)!;
      seen.push(...page.edges.map((x) => x.node.id));
      if (!page.hasNextPage) break;
      after = page.edges.at(-1)!.cursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('refuses a bad page size, a malformed cursor and a cursor of another list', async () => {
    const p = randomUUID();
    await pay(p, 100n);
    await expect(paymentsPage(em(), [p], 0)).rejects.toMatchObject(bad('first'));
    await expect(paymentsPage(em(), [p], 101)).rejects.toMatchObject(bad('first'));
    const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const after of [
      'garbage',
      forged([new Date().toISOString(), randomUUID()]),
      forged(['statement-line', '2026-03-01T10:00:00.000000Z', randomUUID()]),
      forged(['payment', '2026-13-01T10:00:00.000000Z', randomUUID()]),
      forged(['payment', '2026-03-01T10:00:00.000000Z', 'not-a-uuid']),
    ])
      await expect(paymentsPage(em(), [p], 1, after)).rejects.toMatchObject(bad('after'));
  });
});
