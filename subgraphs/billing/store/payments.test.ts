import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBillingTestStore, testClerk, type BillingTestStore } from '../testing.js';
import { balance } from './ledger.js';
import { takePayment } from './payments.js';

const clerk = testClerk('billing-clerk-1');

let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_payments');
});
afterAll(async () => store.close());

const em = () => store.orm.em.fork();
const pay = (patientId: string, amountMinor: bigint, idempotencyKey: string) =>
  takePayment(em(), { patientId, amountMinor, currency: 'USD', idempotencyKey, principal: clerk });

describe('payments', () => {
  it('takes the same payment once per idempotency key; another amount is CONFLICT', async () => {
    const p = randomUUID();
    const first = await pay(p, 2500n, 'pay-key-0001');
    const again = await pay(p, 2500n, 'pay-key-0001');
    expect(again).toEqual({ payment: first.payment, replayed: true });
    await expect(pay(p, 2600n, 'pay-key-0001')).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-2500n);
  });

  it('refuses non-positive amounts, unknown currencies and bad keys', async () => {
    const p = randomUUID();
    const bad = { extensions: { code: 'BAD_USER_INPUT' } };
    await expect(pay(p, 0n, 'pay-key-zero')).rejects.toMatchObject(bad);
    await expect(pay(p, -5n, 'pay-key-negative')).rejects.toMatchObject(bad);
    await expect(pay(p, 1n, 'short')).rejects.toMatchObject(bad);
    await expect(
      takePayment(em(), {
        patientId: p,
        amountMinor: 1n,
        currency: 'XXX',
        idempotencyKey: 'pay-key-currency',
        principal: clerk,
      }),
    ).rejects.toMatchObject(bad);
  });

  it('keeps the exact balance under 20 concurrent payments, and one key is taken once', async () => {
    const p = randomUUID();
    const amounts = Array.from({ length: 20 }, (_, i) => BigInt(1001 + i * 37));
    await Promise.all(amounts.map((a, i) => pay(p, a, `concurrent-${p}-${i}`)));
    const total = amounts.reduce((s, a) => s + a, 0n);
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-total);
    const same = await Promise.all(amounts.map(() => pay(p, 999n, `same-key-${p}`)));
    expect(new Set(same.map((r) => r.payment.id)).size).toBe(1);
    expect(same.filter((r) => !r.replayed)).toHaveLength(1);
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-total - 999n);
  });
});
