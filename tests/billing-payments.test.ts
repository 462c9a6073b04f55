import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { key, newPatient } from './support/billing.js';
import { startTestStack, type GqlResponse, type TestStack } from './support/stack.js';

/**
 * Payments and refunds through the gateway: once per (caller, idempotency
 * key), exact under concurrency, never refunding more than was paid, and a
 * patient pays only their own account. Every check reads the real answer and
 * the real rows of billing.payment, billing.refund and billing.ledger_entry.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('billing-payments');
});
afterAll(() => t?.stop());

const TAKE = /* GraphQL */ `
  mutation ($i: TakePaymentInput!) {
    takePayment(input: $i) {
      id
      amount {
        amount
        amountMinor
        currency
      }
      replayed
    }
  }
`;

const REFUND = /* GraphQL */ `
  mutation ($i: RefundPaymentInput!) {
    refundPayment(input: $i) {
      id
      paymentId
      amount {
        amount
      }
      replayed
    }
  }
`;

interface Taken {
  takePayment: {
    id: string;
    amount: { amount: string; amountMinor: string; currency: string };
    replayed: boolean;
  };
}

const usd = (amount: string) => ({ amount, currency: 'USD' });

function pay(
  token: string,
  patientId: string,
  amount: string,
  idempotencyKey: string,
): Promise<GqlResponse<Taken>> {
  return t.gql<Taken>(token, TAKE, { i: { patientId, amount: usd(amount), idempotencyKey } });
}

async function balanceOf(patientId: string): Promise<string> {
  const r = await t.gql<{ patient: { balance: { amount: string } } }>(
    await t.token('billing'),
    'query ($id: ID!) { patient(id: $id) { balance { amount } } }',
    { id: patientId },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.patient.balance.amount;
}

async function rowsOf(patientId: string) {
  const payments = await t.sql<{ id: string; amount_minor: string; created_by: string }>(
    `SELECT id, amount_minor::text AS amount_minor, created_by FROM billing.payment
      WHERE patient_id = $1 ORDER BY created_at, id`,
    [patientId],
  );
  const entries = await t.sql<{ id: string; kind: string; amount_minor: string; cause_id: string }>(
    `SELECT id, kind, amount_minor::text AS amount_minor, cause_id FROM billing.ledger_entry
      WHERE account_patient_id = $1 ORDER BY created_at, id`,
    [patientId],
  );
  const [sum] = await t.sql<{ total: string }>(
    `SELECT COALESCE(SUM(amount_minor), 0)::text AS total FROM billing.ledger_entry
      WHERE account_patient_id = $1`,
    [patientId],
  );
  return { payments, entries, sumMinor: sum!.total };
}

const codes = (r: GqlResponse<unknown>) => r.errors?.map((e) => e.extensions?.code);

describe('takePayment, once per idempotency key', () => {
  it('takes a payment sent twice with one key once, and answers the retry with the same payment', async () => {
    const sub = 'billing-clerk-replay';
    const billing = await t.token('billing', { sub });
    const patientId = await newPatient(t, 'replay');
    const k = key();

    const first = await pay(billing, patientId, '40.00', k);
    expect(first.errors).toBeUndefined();
    expect(first.data!.takePayment).toMatchObject({
      amount: { amount: '40.00', amountMinor: '4000', currency: 'USD' },
      replayed: false,
    });
    const second = await pay(billing, patientId, '40.00', k);
    expect(second.errors).toBeUndefined();
    expect(second.data!.takePayment).toEqual({ ...first.data!.takePayment, replayed: true });

    const { payments, entries, sumMinor } = await rowsOf(patientId);
    expect(payments).toEqual([
      { id: first.data!.takePayment.id, amount_minor: '4000', created_by: sub },
    ]);
    expect(entries).toEqual([
      {
        id: expect.any(String),
        kind: 'payment',
        amount_minor: '-4000',
        cause_id: first.data!.takePayment.id,
      },
    ]);
    expect(sumMinor).toBe('-4000');
    expect(await balanceOf(patientId)).toBe('-40.00');

    // The first is audited as the create, the replay as a read of what it produced.
    const audit = await t.sql<{ action: string; outcome: string; resource_type: string }>(
      `SELECT payload::jsonb ->> 'action' AS action, payload::jsonb ->> 'outcome' AS outcome,
              payload::jsonb ->> 'resourceType' AS resource_type
         FROM audit.entry
        WHERE payload::jsonb ->> 'resourceId' = $1 AND payload::jsonb -> 'actor' ->> 'sub' = $2
        ORDER BY seq`,
      [first.data!.takePayment.id, sub],
    );
    expect(audit).toEqual([
      { action: 'create', outcome: 'permit', resource_type: 'Account' },
      { action: 'read', outcome: 'permit', resource_type: 'Account' },
    ]);
  });

  it('refuses the same key with another amount as CONFLICT and writes nothing', async () => {
    const billing = await t.token('billing', { sub: 'billing-clerk-conflict' });
    const patientId = await newPatient(t, 'conflict');
    const k = key();
    const first = await pay(billing, patientId, '10.00', k);
    expect(first.errors).toBeUndefined();
    const before = await rowsOf(patientId);
    const other = await pay(billing, patientId, '10.01', k);
    expect(other.data ?? null).toBeNull();
    expect(codes(other)).toEqual(['CONFLICT']);

    // Nor another patient under the same key.
    const elsewhere = await pay(billing, await newPatient(t, 'conflict2'), '10.00', k);
    expect(codes(elsewhere)).toEqual(['CONFLICT']);

    expect(await rowsOf(patientId)).toEqual(before);
    expect(before.payments).toHaveLength(1);
    expect(before.entries).toHaveLength(1);
    expect(await balanceOf(patientId)).toBe('-10.00');
    // Only the first request wrote (and audited) anything: the refused ones rolled back whole.
    const audit = await t.sql<{ action: string; outcome: string }>(
      `SELECT payload::jsonb ->> 'action' AS action, payload::jsonb ->> 'outcome' AS outcome
         FROM audit.entry WHERE patient_id = $1 AND payload::jsonb ->> 'resourceType' = 'Account'
          AND payload::jsonb ->> 'action' = 'create'`,
      [patientId],
    );
    expect(audit).toEqual([{ action: 'create', outcome: 'permit' }]);
  });

  it('keeps keys per caller: one key from two callers makes two payments', async () => {
    const patientId = await newPatient(t, 'callers');
    const k = key();
    const a = await pay(await t.token('billing', { sub: 'billing-clerk-a' }), patientId, '5.00', k);
    const b = await pay(await t.token('billing', { sub: 'billing-clerk-b' }), patientId, '5.00', k);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(a.data!.takePayment.replayed).toBe(false);
    expect(b.data!.takePayment.replayed).toBe(false);
    expect(a.data!.takePayment.id).not.toBe(b.data!.takePayment.id);

    const { payments, entries, sumMinor } = await rowsOf(patientId);
    expect(payments.map((p) => p.created_by).sort()).toEqual([
      'billing-clerk-a',
      'billing-clerk-b',
    ]);
    expect(entries.map((e) => `${e.kind} ${e.amount_minor}`)).toEqual([
      'payment -500',
      'payment -500',
    ]);
    expect(sumMinor).toBe('-1000');
    expect(await balanceOf(patientId)).toBe('-10.00');
  });
});

describe('payments under concurrency', () => {
  it('takes 20 concurrent payments of 1.01 on one account exactly', async () => {
    const billing = await t.token('billing');
    const patientId = await newPatient(t, 'concurrent');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => pay(billing, patientId, '1.01', key())),
    );
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      expect(r.data!.takePayment.replayed).toBe(false);
    }
    expect(new Set(results.map((r) => r.data!.takePayment.id)).size).toBe(20);

    const { payments, entries, sumMinor } = await rowsOf(patientId);
    expect(payments).toHaveLength(20);
    expect(entries).toHaveLength(20);
    expect(sumMinor).toBe('-2020');
    const balance = await balanceOf(patientId);
    expect(balance).toBe('-20.20');
    // The API's balance is PostgreSQL's sum of the entries, to the cent.
    expect(Math.round(Number(balance) * 100).toString()).toBe(sumMinor);
  });

  it('takes one payment when one key is sent 10 times at once', async () => {
    const billing = await t.token('billing', { sub: 'billing-clerk-burst' });
    const patientId = await newPatient(t, 'burst');
    const k = key();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => pay(billing, patientId, '77.77', k)),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data!.takePayment.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.data!.takePayment.replayed)).toHaveLength(1);

    const { payments, entries, sumMinor } = await rowsOf(patientId);
    expect(payments.map((p) => p.id)).toEqual([...ids]);
    expect(entries).toHaveLength(1);
    expect(sumMinor).toBe('-7777');
    expect(await balanceOf(patientId)).toBe('-77.77');
  });

  it('never refunds more than a payment: 8 concurrent refunds of 30.00 against 100.00, 3 succeed', async () => {
    const billing = await t.token('billing');
    const patientId = await newPatient(t, 'refunds');
    const paid = await pay(billing, patientId, '100.00', key());
    expect(paid.errors).toBeUndefined();
    const paymentId = paid.data!.takePayment.id;

    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.gql<{ refundPayment: { id: string; paymentId: string; amount: { amount: string } } }>(
          billing,
          REFUND,
          {
            i: { paymentId, amount: usd('30.00'), reason: 'Overpaid', idempotencyKey: key() },
          },
        ),
      ),
    );
    const ok = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors);
    expect(ok).toHaveLength(3);
    for (const r of ok)
      expect(r.data!.refundPayment).toMatchObject({ paymentId, amount: { amount: '30.00' } });
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.message).toMatch(/10\.00/);
    }

    const refunds = await t.sql<{ id: string; amount_minor: string }>(
      'SELECT id, amount_minor::text AS amount_minor FROM billing.refund WHERE payment_id = $1',
      [paymentId],
    );
    expect(refunds.map((r) => r.id).sort()).toEqual(ok.map((r) => r.data!.refundPayment.id).sort());
    expect(refunds.map((r) => r.amount_minor)).toEqual(['3000', '3000', '3000']);
    const { entries, sumMinor } = await rowsOf(patientId);
    expect(entries.map((e) => e.kind).sort()).toEqual(['payment', 'refund', 'refund', 'refund']);
    expect(sumMinor).toBe('-1000');
    expect(await balanceOf(patientId)).toBe('-10.00');

    const view = await t.gql<{
      patient: { payments: { id: string; refunded: { amount: string } }[] };
    }>(billing, 'query ($id: ID!) { patient(id: $id) { payments { id refunded { amount } } } }', {
      id: patientId,
    });
    expect(view.errors).toBeUndefined();
    expect(view.data!.patient.payments).toEqual([{ id: paymentId, refunded: { amount: '90.00' } }]);

    // What is left (10.00) can still go back; one cent more cannot.
    const over = await t.gql(billing, REFUND, {
      i: { paymentId, amount: usd('10.01'), reason: 'Overpaid', idempotencyKey: key() },
    });
    expect(codes(over)).toEqual(['BAD_USER_INPUT']);
    const rest = await t.gql(billing, REFUND, {
      i: { paymentId, amount: usd('10.00'), reason: 'Overpaid', idempotencyKey: key() },
    });
    expect(rest.errors).toBeUndefined();
    expect(await balanceOf(patientId)).toBe('0.00');
  });
});

describe('a patient paying', () => {
  it('pays their own balance, and not another patient’s (FORBIDDEN, nothing written)', async () => {
    const patientId = await newPatient(t, 'payer-self');
    const otherId = await newPatient(t, 'payer-other');
    const sub = `patient-${patientId}`;
    const patient = await t.token('patient', { patientId, sub });

    const own = await pay(patient, patientId, '12.34', key());
    expect(own.errors).toBeUndefined();
    expect(own.data!.takePayment).toMatchObject({ amount: { amount: '12.34' }, replayed: false });
    const mine = await rowsOf(patientId);
    expect(mine.payments).toEqual([
      { id: own.data!.takePayment.id, amount_minor: '1234', created_by: sub },
    ]);
    expect(mine.sumMinor).toBe('-1234');

    const foreign = await pay(patient, otherId, '12.34', key());
    expect(foreign.data ?? null).toBeNull();
    expect(codes(foreign)).toEqual(['FORBIDDEN']);
    const theirs = await rowsOf(otherId);
    expect(theirs.payments).toEqual([]);
    expect(theirs.entries).toEqual([]);
    const [keys] = await t.sql<{ n: string }>(
      'SELECT count(*)::text AS n FROM billing.idempotency_key WHERE principal = $1',
      [sub],
    );
    expect(keys!.n).toBe('1');
    // The refusal is audited against the other patient's account.
    const denied = await t.sql<{ action: string; outcome: string }>(
      `SELECT payload::jsonb ->> 'action' AS action, payload::jsonb ->> 'outcome' AS outcome
         FROM audit.entry
        WHERE patient_id = $1 AND payload::jsonb -> 'actor' ->> 'sub' = $2`,
      [otherId, sub],
    );
    expect(denied).toEqual([{ action: 'create', outcome: 'deny' }]);
    expect(await balanceOf(otherId)).toBe('0.00');
  });

  it('a replay after a refund answers what is refunded now', async () => {
    const billing = await t.token('billing');
    const patientId = await newPatient(t, 'replay-refund');
    const k = key();
    const first = await t.gql<{ takePayment: { id: string; refunded: { amount: string } } }>(
      billing,
      'mutation ($i: TakePaymentInput!) { takePayment(input: $i) { id refunded { amount } } }',
      { i: { patientId, amount: usd('50.00'), idempotencyKey: k } },
    );
    expect(first.data!.takePayment.refunded.amount).toBe('0.00');
    const refund = await t.gql(billing, REFUND, {
      i: {
        paymentId: first.data!.takePayment.id,
        amount: usd('20.00'),
        reason: 'Overpaid',
        idempotencyKey: key(),
      },
    });
    expect(refund.errors).toBeUndefined();
    const replay = await t.gql<{ takePayment: { id: string; refunded: { amount: string } } }>(
      billing,
      'mutation ($i: TakePaymentInput!) { takePayment(input: $i) { id refunded { amount } } }',
      { i: { patientId, amount: usd('50.00'), idempotencyKey: k } },
    );
    expect(replay.data!.takePayment).toEqual({
      id: first.data!.takePayment.id,
      refunded: { amount: '20.00' },
    });
  });
});
