import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentProvider } from '../../../platform/payments/provider.js';
import { money } from '../domain/money.js';
import { openBillingTestStore, type BillingTestStore } from '../testing.js';
import { recordCharge } from './charges.js';
import { applyProviderEvent, createIntent, type IntentPolicy } from './payment-intents.js';

/**
 * Payment intents in the store (issue 11 #2): the balance cap and its credit
 * policy, the bound, and one payment per intent whatever the callbacks.
 * The provider here only answers references; tests/hardening/money.test.ts
 * runs the real test provider over HTTP.
 */
let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_payment_intents', { events: true });
});
afterAll(() => store?.close());

const em = () => store.orm.em.fork();
const provider: PaymentProvider = {
  name: 'test',
  createIntent: (r) => Promise.resolve({ providerRef: `tpi_${r.intentId.slice(0, 8)}` }),
  parseCallback: () => {
    throw new Error('not used');
  },
  stop: () => Promise.resolve(),
};
const policy = (allowCredit: boolean): IntentPolicy => ({
  allowCredit,
  maxMinor: 10_000_000n,
  ttlMinutes: 30,
});
const usd = (minor: bigint) => money(minor, 'USD');

async function owing(minor: bigint): Promise<string> {
  const patientId = randomUUID();
  await em().transactional((tem) =>
    recordCharge(tem, {
      appointmentId: randomUUID(),
      patientId,
      code: 'G0463',
      kind: 'service',
      units: 1,
      unitFee: usd(minor),
      createdBy: 'events',
    }),
  );
  return patientId;
}

const intent = (patientId: string, minor: bigint, allowCredit = false) =>
  em().transactional((tem) =>
    createIntent(
      tem,
      { patientId, amount: usd(minor), paymentMethod: 'tok_visa', by: 'p', clientId: 'app' },
      provider,
      policy(allowCredit),
    ),
  );

describe('payment intents', () => {
  it('#2 caps an intent at what is owed less pending intents, unless policy allows credit', async () => {
    const p = await owing(10_000n);
    await expect(intent(p, 10_001n)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const first = await intent(p, 6_000n);
    expect(first.status).toBe('pending');
    await expect(intent(p, 4_001n)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect((await intent(p, 4_000n)).status).toBe('pending');
    // With credit allowed, the balance no longer caps it; the bound still does.
    expect((await intent(p, 50_000n, true)).status).toBe('pending');
    await expect(intent(p, 10_000_001n, true)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    await expect(intent(await owing(1n), 0n)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('#2 posts one payment per intent when callbacks race, and nothing after a decline', async () => {
    const p = await owing(10_000n);
    const i = await intent(p, 10_000n);
    const ev = (eventId: string, outcome: 'succeeded' | 'declined') => ({
      eventId,
      outcome,
      intentId: i.id,
      providerRef: i.providerRef,
      amountMinor: 10_000n,
      currency: 'USD',
    });
    const outcomes = await Promise.all(
      ['tev_a', 'tev_b', 'tev_c', 'tev_d'].map((id, n) =>
        em().transactional((tem) =>
          applyProviderEvent(tem, 'test', ev(id, n === 3 ? 'declined' : 'succeeded')),
        ),
      ),
    );
    expect(outcomes.filter((o) => o.changed)).toHaveLength(1);
    const payments = await em().execute<{ n: string }[]>(
      'SELECT count(*)::text AS n FROM billing.payment WHERE intent_id = ?',
      [i.id],
    );
    const final = outcomes.find((o) => o.changed)!.intent.status;
    expect(payments[0]!.n).toBe(final === 'succeeded' ? '1' : '0');
  });
});
