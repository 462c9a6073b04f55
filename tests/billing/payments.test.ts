import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { key, newPatient, balanceOf } from '../support/billing.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Payments and refunds through the gateway: once per (caller, idempotency
 * key), exact under concurrency, never refunding more than was paid; a
 * patient cannot take a payment at all (they pay through a payment intent). Every check reads the real answer and
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
    expect(await balanceOf(t, patientId)).toBe('-40.00');

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

    // Keys are per (client, subject, patient) (issue 11, #17): the same key pays for another.
    const elsewhere = await pay(billing, await newPatient(t, 'conflict2'), '10.00', k);
    expect(elsewhere.errors).toBeUndefined();

    expect(await rowsOf(patientId)).toEqual(before);
    expect(before.payments).toHaveLength(1);
    expect(before.entries).toHaveLength(1);
    expect(await balanceOf(t, patientId)).toBe('-10.00');
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
    expect(await balanceOf(t, patientId)).toBe('-10.00');
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
    const balance = await balanceOf(t, patientId);
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
    expect(await balanceOf(t, patientId)).toBe('-77.77');
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
    expect(await balanceOf(t, patientId)).toBe('-10.00');

    const view = await t.gql<{
      patient: { payments: { edges: { node: { id: string; refunded: { amount: string } } }[] } };
    }>(
      billing,
      'query ($id: ID!) { patient(id: $id) { payments { edges { node { id refunded { amount } } } } } }',
      { id: patientId },
    );
    expect(view.errors).toBeUndefined();
    expect(view.data!.patient.payments.edges).toEqual([
      { node: { id: paymentId, refunded: { amount: '90.00' } } },
    ]);

    // What is left (10.00) can still go back; one cent more cannot.
    const over = await t.gql(billing, REFUND, {
      i: { paymentId, amount: usd('10.01'), reason: 'Overpaid', idempotencyKey: key() },
    });
    expect(codes(over)).toEqual(['BAD_USER_INPUT']);
    const rest = await t.gql(billing, REFUND, {
      i: { paymentId, amount: usd('10.00'), reason: 'Overpaid', idempotencyKey: key() },
    });
    expect(rest.errors).toBeUndefined();
    expect(await balanceOf(t, patientId)).toBe('0.00');
  });
});

describe('a patient paying', () => {
  // Issue 11 #2: a patient's word never credits an account; they pay through a payment intent
  // (tests/hardening/money.test.ts). takePayment is billing staff's.
  it('refuses takePayment to a patient, for their own account or another’s (FORBIDDEN, nothing written)', async () => {
    const patientId = await newPatient(t, 'payer-self');
    const otherId = await newPatient(t, 'payer-other');
    const sub = `patient-${patientId}`;
    const patient = await t.token('patient', { patientId, sub });

    for (const target of [patientId, otherId]) {
      const r = await pay(patient, target, '12.34', key());
      expect(r.data ?? null).toBeNull();
      expect(codes(r)).toEqual(['FORBIDDEN']);
      const rows = await rowsOf(target);
      expect(rows.payments).toEqual([]);
      expect(rows.entries).toEqual([]);
      expect(await balanceOf(t, target)).toBe('0.00');
    }
    const [keys] = await t.sql<{ n: string }>(
      // Keys are owned by (client, subject, patient) (issue 11, #17).
      `SELECT count(*)::text AS n FROM billing.idempotency_key WHERE principal::jsonb ->> 1 = $1`,
      [sub],
    );
    expect(keys!.n).toBe('0');
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

describe('paging a patient’s payments and a statement’s lines', () => {
  interface Connection<N> {
    edges: { cursor: string; node: N }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  }
  const PAYMENTS = /* GraphQL */ `
    query ($id: ID!, $first: Int, $after: String) {
      patient(id: $id) {
        payments(first: $first, after: $after) {
          edges {
            cursor
            node {
              id
              amount {
                amount
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  `;
  const LINES = /* GraphQL */ `
    query ($id: ID!, $first: Int, $after: String) {
      patient(id: $id) {
        statements(first: 1) {
          edges {
            node {
              id
              lineCount
              lines(first: $first, after: $after) {
                edges {
                  cursor
                  node {
                    entryId
                    kind
                    amount {
                      amount
                    }
                  }
                }
                pageInfo {
                  hasNextPage
                  endCursor
                }
              }
            }
          }
        }
      }
    }
  `;
  type Lines = Connection<{ entryId: string; kind: string; amount: { amount: string } }>;

  let billing: string;
  let patientId: string;
  /** The three payments, in the order taken. */
  let taken: string[];

  const paymentsPage = (first: number | undefined, after?: string | null) =>
    t.gql<{ patient: { payments: Connection<{ id: string; amount: { amount: string } }> } }>(
      billing,
      PAYMENTS,
      { id: patientId, first, after },
    );
  const linesPage = (first: number | undefined, after?: string | null) =>
    t.gql<{
      patient: { statements: { edges: { node: { lineCount: number; lines: Lines } }[] } };
    }>(billing, LINES, { id: patientId, first, after });

  beforeAll(async () => {
    billing = await t.token('billing');
    patientId = await newPatient(t, 'paging');
    taken = [];
    for (const amount of ['1.00', '2.00', '3.00']) {
      const r = await pay(billing, patientId, amount, key());
      expect(r.errors).toBeUndefined();
      taken.push(r.data!.takePayment.id);
    }
  });

  it('pages three payments two at a time, newest first, and the cursor continues exactly', async () => {
    const page1 = await paymentsPage(2);
    expect(page1.errors).toBeUndefined();
    const p1 = page1.data!.patient.payments;
    expect(p1.edges.map((e) => [e.node.id, e.node.amount.amount])).toEqual([
      [taken[2], '3.00'],
      [taken[1], '2.00'],
    ]);
    expect(p1.pageInfo).toEqual({ hasNextPage: true, endCursor: p1.edges[1]!.cursor });

    const page2 = await paymentsPage(2, p1.pageInfo.endCursor);
    expect(page2.errors).toBeUndefined();
    const p2 = page2.data!.patient.payments;
    expect(p2.edges.map((e) => [e.node.id, e.node.amount.amount])).toEqual([[taken[0], '1.00']]);
    expect(p2.pageInfo).toEqual({ hasNextPage: false, endCursor: p2.edges[0]!.cursor });

    // The same as the rows in billing.payment, newest first; the default page holds them all.
    const rows = await t.sql<{ id: string }>(
      'SELECT id FROM billing.payment WHERE patient_id = $1 ORDER BY created_at DESC, id DESC',
      [patientId],
    );
    const all = await paymentsPage(undefined);
    expect(all.data!.patient.payments.edges.map((e) => e.node.id)).toEqual(rows.map((r) => r.id));
    expect(all.data!.patient.payments.pageInfo.hasNextPage).toBe(false);
  });

  it('answers each alias with its own page', async () => {
    const r = await t.gql<{
      patient: { a: Connection<{ id: string }>; b: Connection<{ id: string }> };
    }>(
      billing,
      `query ($id: ID!) { patient(id: $id) {
         a: payments(first: 1) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
         b: payments(first: 3) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
       } }`,
      { id: patientId },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.patient.a.edges.map((e) => e.node.id)).toEqual([taken[2]]);
    expect(r.data!.patient.a.pageInfo.hasNextPage).toBe(true);
    expect(r.data!.patient.b.edges.map((e) => e.node.id)).toEqual([...taken].reverse());
    expect(r.data!.patient.b.pageInfo.hasNextPage).toBe(false);
  });

  it('pages a statement’s lines in posting order; lineCount counts them all', async () => {
    const issued = await t.gql(
      billing,
      'mutation ($i: IssueStatementInput!) { issueStatement(input: $i) { id } }',
      { i: { patientId, idempotencyKey: key() } },
    );
    expect(issued.errors).toBeUndefined();
    const entries = await t.sql<{ id: string; amount_minor: string }>(
      `SELECT id, amount_minor::text AS amount_minor FROM billing.ledger_entry
        WHERE account_patient_id = $1 ORDER BY created_at, id`,
      [patientId],
    );
    expect(entries.map((e) => e.amount_minor)).toEqual(['-100', '-200', '-300']);

    const page1 = await linesPage(2);
    expect(page1.errors).toBeUndefined();
    const s1 = page1.data!.patient.statements.edges[0]!.node;
    expect(s1.lineCount).toBe(3);
    expect(s1.lines.edges.map((e) => [e.node.entryId, e.node.kind, e.node.amount.amount])).toEqual([
      [entries[0]!.id, 'payment', '-1.00'],
      [entries[1]!.id, 'payment', '-2.00'],
    ]);
    expect(s1.lines.pageInfo).toEqual({ hasNextPage: true, endCursor: s1.lines.edges[1]!.cursor });

    const page2 = await linesPage(2, s1.lines.pageInfo.endCursor);
    expect(page2.errors).toBeUndefined();
    const s2 = page2.data!.patient.statements.edges[0]!.node;
    expect(s2.lineCount).toBe(3);
    expect(s2.lines.edges.map((e) => e.node.entryId)).toEqual([entries[2]!.id]);
    expect(s2.lines.pageInfo.hasNextPage).toBe(false);

    // By default a page of up to 100 lines: all three.
    const all = await linesPage(undefined);
    const lines = all.data!.patient.statements.edges[0]!.node.lines;
    expect(lines.edges.map((e) => e.node.entryId)).toEqual(entries.map((e) => e.id));
    expect(lines.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses a malformed cursor, or one of another list, as BAD_USER_INPUT on after', async () => {
    const paymentCursor = (await paymentsPage(1)).data!.patient.payments.pageInfo.endCursor!;
    const lineCursor = (await linesPage(1)).data!.patient.statements.edges[0]!.node.lines.pageInfo
      .endCursor!;
    const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const bad = [
      'not-a-cursor',
      '%%%',
      lineCursor,
      forged(['payment', '2026-02-30T00:00:00.000000Z', randomUUID()]),
      forged(['payment', new Date().toISOString(), "' OR 1=1 --"]),
    ];
    for (const after of bad) {
      const r = await paymentsPage(2, after);
      expect(r.errors?.map((e) => [e.extensions?.code, e.extensions?.field, e.path])).toEqual([
        ['BAD_USER_INPUT', 'after', ['patient', 'payments']],
      ]);
      expect(r.errors![0]!.message).toBe('after is not a valid cursor');
      expect(r.data?.patient?.payments ?? null).toBeNull();
    }
    for (const after of ['not-a-cursor', paymentCursor]) {
      const r = await linesPage(2, after);
      expect(r.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([
        ['BAD_USER_INPUT', 'after'],
      ]);
    }
    for (const first of [0, 101]) {
      const r = await paymentsPage(first);
      expect(r.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([
        ['BAD_USER_INPUT', 'first'],
      ]);
      const l = await linesPage(first);
      expect(l.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([
        ['BAD_USER_INPUT', 'first'],
      ]);
    }
  });
});
