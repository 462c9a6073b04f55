import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPayload, SIGNATURE_HEADER } from '../../platform/payments/signature.js';
import { MONEY_TABLES } from '../../subgraphs/billing/migrations/money-tables.js';
import {
  balanceOf,
  coverageFor,
  key,
  newPatient,
  visit,
  waitForCharges,
} from '../support/billing.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Issue 11, items 2 and 18. #2: a patient's (or an app's) word never moves
 * money: `takePayment` is billing staff's, and patients pay through a payment
 * provider's intent, posted only on its signed callback, once. #18: every
 * money table is append-only even for billing's own login.
 */
const SECRET = randomBytes(32).toString('base64url');
const secretDir = fs.mkdtempSync(path.join(process.cwd(), '.data', 'money-secret-'));
const secretFile = path.join(secretDir, 'webhook-secret');
fs.writeFileSync(secretFile, SECRET, { mode: 0o600 });

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('hardening-money', { BILLING_PAYMENT_WEBHOOK_SECRET_FILE: secretFile });
});
afterAll(async () => {
  await t?.stop();
  fs.rmSync(secretDir, { recursive: true, force: true });
});

const usd = (amount: string) => ({ amount, currency: 'USD' });
const codes = (r: GqlResponse) => (r.errors ?? []).map((e) => e.extensions?.code);

const TAKE_PAYMENT = /* GraphQL */ `
  mutation ($i: TakePaymentInput!) {
    takePayment(input: $i) {
      id
      method
      amount {
        amount
      }
    }
  }
`;
const CREATE_INTENT = /* GraphQL */ `
  mutation ($input: CreatePaymentIntentInput!) {
    createPaymentIntent(input: $input) {
      id
      status
      providerReference
      amount {
        amount
      }
    }
  }
`;
const INTENT = /* GraphQL */ `
  query ($id: ID!) {
    paymentIntent(id: $id) {
      id
      status
      declineCode
      paymentId
    }
  }
`;

interface IntentAnswer {
  id: string;
  status: string;
  declineCode: string | null;
  paymentId: string | null;
}

/** A fresh patient with one completed visit: 136.02 owed. */
async function owingPatient(tag: string): Promise<{ patientId: string; patient: string }> {
  const patientId = await newPatient(t, tag);
  await waitForCharges(t, await visit(t, patientId));
  const patient = await t.token('patient', { patientId, sub: `patient-${patientId}` });
  return { patientId, patient };
}

async function createIntent(token: string, patientId: string, amount: string, method: string) {
  return t.gql<{ createPaymentIntent: { id: string; status: string; providerReference: string } }>(
    token,
    CREATE_INTENT,
    { input: { patientId, amount: usd(amount), paymentMethod: method, idempotencyKey: key() } },
  );
}

async function waitForIntent(token: string, id: string, status: string): Promise<IntentAnswer> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await t.gql<{ paymentIntent: IntentAnswer }>(token, INTENT, { id });
    expect(r.errors).toBeUndefined();
    if (r.data!.paymentIntent.status === status) return r.data!.paymentIntent;
    if (Date.now() > deadline)
      throw new Error(`intent still ${r.data!.paymentIntent.status}, expected ${status}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

const paymentsOf = (patientId: string) =>
  t.sql<{ id: string; method: string; intent_id: string | null; amount_minor: string }>(
    `SELECT id, method, intent_id, amount_minor::text AS amount_minor FROM billing.payment
      WHERE patient_id = $1 ORDER BY created_at`,
    [patientId],
  );

const webhookUrl = () => new URL('/payments/webhook', t.stack.subgraph('billing').url).toString();

async function callback(body: object, opts: { secret?: string; at?: number } = {}) {
  const raw = JSON.stringify(body);
  const at = opts.at ?? Math.floor(Date.now() / 1000);
  const res = await fetch(webhookUrl(), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signPayload(opts.secret ?? SECRET, raw, at),
    },
    body: raw,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('#2 money from a patient comes through a payment provider', () => {
  it('#2 refuses takePayment of 1,000,000.00 and 10,000,000,000.00 from a patient and from an app acting for one', async () => {
    const { patientId, patient } = await owingPatient('no-word');
    const app = await t.token('partner', {
      patientId,
      sub: 'partner-money',
      scopes: ['patient/Account.crs'],
    });
    for (const amount of ['1000000.00', '10000000000.00']) {
      const r = await t.gql(patient, TAKE_PAYMENT, {
        i: { patientId, amount: usd(amount), idempotencyKey: key() },
      });
      expect(codes(r)).toEqual(['FORBIDDEN']);
      // An app runs persisted operations only, and none of them takes a payment any more.
      const byApp = await t.gql(app, TAKE_PAYMENT, {
        i: { patientId, amount: usd(amount), idempotencyKey: key() },
      });
      expect(codes(byApp)).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    }
    expect(await paymentsOf(patientId)).toEqual([]);
    expect(await balanceOf(t, patientId)).toBe('136.02');
  });

  it('#2 the persisted PayBalance creates a pending intent, at most what is owed; the signed callback posts it once', async () => {
    const { patientId, patient } = await owingPatient('pay-balance');
    const app = await t.token('partner', {
      patientId,
      sub: 'partner-pay-balance',
      scopes: ['patient/Account.crs'],
    });
    const manifest = JSON.parse(
      fs.readFileSync(path.resolve('schema/operations/manifest.json'), 'utf8'),
    ) as { operations: { id: string; name: string }[] };
    const hash = manifest.operations.find((o) => o.name === 'PayBalance')!.id;
    const payBalance = async (amount: string, method: string) => {
      const res = await fetch(t.stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${app}` },
        body: JSON.stringify({
          variables: {
            input: { patientId, amount: usd(amount), paymentMethod: method, idempotencyKey: key() },
          },
          extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
        }),
      });
      return (await res.json()) as GqlResponse<{
        createPaymentIntent: { id: string; status: string };
      }>;
    };

    // More than is owed, and absurd amounts, are refused outright.
    for (const amount of ['136.03', '1000000.00', '10000000000.00']) {
      const r = await payBalance(amount, 'tok_visa');
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    }
    const r = await payBalance('136.02', 'tok_visa_twice');
    expect(r.errors).toBeUndefined();
    expect(r.data!.createPaymentIntent.status).toBe('pending');
    // Whatever is being paid cannot be paid a second time meanwhile.
    expect(codes(await createIntent(patient, patientId, '0.01', 'tok_visa'))).toEqual([
      'BAD_USER_INPUT',
    ]);

    const done = await waitForIntent(patient, r.data!.createPaymentIntent.id, 'succeeded');
    // The test provider delivers this callback twice: give the second time to land.
    await new Promise((res) => setTimeout(res, 1_000));
    const payments = await paymentsOf(patientId);
    expect(payments).toEqual([
      { id: done.paymentId, method: 'provider', intent_id: done.id, amount_minor: '13602' },
    ]);
    expect(await balanceOf(t, patientId)).toBe('0.00');
    const entries = await t.sql<{ n: string; by: string }>(
      `SELECT count(*)::text AS n, max(created_by) AS by FROM billing.ledger_entry
        WHERE account_patient_id = $1 AND kind = 'payment'`,
      [patientId],
    );
    expect(entries).toEqual([{ n: '1', by: 'payment-provider:test' }]);
    const listed = await t.gql<{
      patient: { payments: { edges: { node: { method: string; intentId: string } }[] } };
    }>(
      patient,
      'query ($id: ID!) { patient(id: $id) { payments { edges { node { method intentId } } } } }',
      { id: patientId },
    );
    expect(listed.data!.patient.payments.edges).toEqual([
      { node: { method: 'provider', intentId: done.id } },
    ]);
    // The account's statement says how the money came.
    const statement = await t.gql<{
      issueStatement: { lines: { edges: { node: { kind: string; description: string } }[] } };
    }>(
      await t.token('billing'),
      'mutation ($i: IssueStatementInput!) { issueStatement(input: $i) { lines { edges { node { kind description } } } } }',
      { i: { patientId, idempotencyKey: key() } },
    );
    expect(statement.errors).toBeUndefined();
    expect(
      statement.data!.issueStatement.lines.edges.filter((e) => e.node.kind === 'payment'),
    ).toEqual([{ node: { kind: 'payment', description: 'Payment (online, payment provider)' } }]);
  });

  it('#2 declined and failed intents post nothing', async () => {
    const { patientId, patient } = await owingPatient('declined');
    const declined = await createIntent(patient, patientId, '50.00', 'tok_declined');
    const failed = await createIntent(patient, patientId, '50.00', 'tok_failed');
    expect(declined.errors).toBeUndefined();
    expect(failed.errors).toBeUndefined();
    expect(
      await waitForIntent(patient, declined.data!.createPaymentIntent.id, 'declined'),
    ).toMatchObject({ declineCode: 'card_declined', paymentId: null });
    expect(
      await waitForIntent(patient, failed.data!.createPaymentIntent.id, 'failed'),
    ).toMatchObject({ declineCode: 'processing_error', paymentId: null });
    expect(await paymentsOf(patientId)).toEqual([]);
    expect(await balanceOf(t, patientId)).toBe('136.02');
    // An unknown payment method is refused by the provider at once.
    expect(codes(await createIntent(patient, patientId, '1.00', 'tok_made_up'))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('#2 refuses forged, stale and altered callbacks; a duplicate or contradicting one changes nothing', async () => {
    const { patientId, patient } = await owingPatient('forged');
    const created = await createIntent(patient, patientId, '100.00', 'tok_no_callback');
    expect(created.errors).toBeUndefined();
    const { id, providerReference } = created.data!.createPaymentIntent;
    // Pending moves nothing; what it is paying cannot be paid twice (36.02 is left to pay).
    expect(await balanceOf(t, patientId)).toBe('136.02');
    expect(codes(await createIntent(patient, patientId, '36.03', 'tok_no_callback'))).toEqual([
      'BAD_USER_INPUT',
    ]);
    const event = (eventId: string, type: string, amountMinor = '10000') => ({
      id: eventId,
      type,
      data: { intentId: id, providerRef: providerReference, amountMinor, currency: 'USD' },
    });
    const ok = event('tev_forgery_test_1', 'payment_intent.succeeded');
    expect(await callback(ok, { secret: 'not-the-provider-secret-0123456789abcdef' })).toBe(400);
    expect(await callback(ok, { at: Math.floor(Date.now() / 1000) - 600 })).toBe(400);
    expect(await callback(event('tev_forgery_test_2', 'payment_intent.succeeded', '1000000'))).toBe(
      400,
    );
    const unsigned = await fetch(webhookUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ok),
    });
    expect(unsigned.status).toBe(400);
    expect(await paymentsOf(patientId)).toEqual([]);

    expect(await callback(ok)).toBe(200);
    expect(await callback(ok)).toBe(200);
    expect(await callback(event('tev_forgery_test_3', 'payment_intent.declined'))).toBe(200);
    expect(await callback(event('tev_forgery_test_4', 'payment_intent.succeeded'))).toBe(200);
    const final = await waitForIntent(patient, id, 'succeeded');
    expect(await paymentsOf(patientId)).toEqual([
      { id: final.paymentId, method: 'provider', intent_id: id, amount_minor: '10000' },
    ]);
    expect(await balanceOf(t, patientId)).toBe('36.02');
    // A callback for an intent that does not exist is not acknowledged (the provider retries).
    expect(
      await callback({ ...ok, id: 'tev_unknown', data: { ...ok.data, intentId: randomUUID() } }),
    ).toBe(404);
    // Every applied callback is audited with the provider as actor.
    const audited = await t.sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM audit.entry
        WHERE patient_id = $1 AND payload::jsonb -> 'actor' ->> 'sub' = 'payment-provider:test'`,
      [patientId],
    );
    expect(Number(audited[0]!.n)).toBeGreaterThanOrEqual(3);
  });

  it('#2 an intent never confirmed expires and posts nothing, even if the provider confirms it late', async () => {
    const { patientId, patient } = await owingPatient('expired');
    const created = await createIntent(patient, patientId, '20.00', 'tok_no_callback');
    const { id, providerReference } = created.data!.createPaymentIntent;
    // Time passes: the intent's expiry (immutable, so as a replica would) and its job are due now.
    await t.sql(`BEGIN; SET LOCAL session_replication_role = replica;
      UPDATE billing.payment_intent SET expires_at = now() - interval '1 second' WHERE id = '${id}';
      COMMIT`);
    await t.sql(
      `UPDATE graphile_worker._private_jobs SET run_at = now()
        WHERE task_id = (SELECT id FROM graphile_worker._private_tasks
                          WHERE identifier = 'billing:payment-intent-expire')`,
    );
    await waitForIntent(patient, id, 'expired');
    const deadline = Date.now() + 15_000;
    while (
      (await t.sql(`SELECT 1 FROM billing.payment_intent_event WHERE intent_id = $1`, [id]))
        .length === 0
    ) {
      if (Date.now() > deadline) throw new Error('the expiry job never ran');
      await new Promise((res) => setTimeout(res, 100));
    }
    const late = {
      id: 'tev_late_confirmation',
      type: 'payment_intent.succeeded',
      data: { intentId: id, providerRef: providerReference, amountMinor: '2000', currency: 'USD' },
    };
    expect(await callback(late)).toBe(200);
    expect(await waitForIntent(patient, id, 'expired')).toMatchObject({ paymentId: null });
    expect(await paymentsOf(patientId)).toEqual([]);
    expect(await balanceOf(t, patientId)).toBe('136.02');
  });

  it('#2 staff-entered payments stay with billing staff and are marked with their method', async () => {
    const patientId = await newPatient(t, 'desk');
    const billing = await t.token('billing');
    for (const method of ['cash', 'cheque', 'cardTerminal']) {
      const r = await t.gql<{ takePayment: { method: string } }>(billing, TAKE_PAYMENT, {
        i: { patientId, amount: usd('1.00'), method, idempotencyKey: key() },
      });
      expect(r.errors).toBeUndefined();
      expect(r.data!.takePayment.method).toBe(method);
    }
    expect((await paymentsOf(patientId)).map((p) => p.method)).toEqual([
      'cash',
      'cheque',
      'card-terminal',
    ]);
    const tooMuch = await t.gql(billing, TAKE_PAYMENT, {
      i: { patientId, amount: usd('10000000000.00'), idempotencyKey: key() },
    });
    expect(codes(tooMuch)).toEqual(['BAD_USER_INPUT']);
    // Staff do not create provider intents: the patient (or their app) pays through them.
    const intent = await createIntent(billing, patientId, '1.00', 'tok_visa');
    expect(codes(intent)).toEqual(['FORBIDDEN']);
  });
});

describe("#18 billing's own login cannot rewrite money", () => {
  /** Runs SQL on the billing subgraph's own connection (its login role). */
  const asBilling = (sql: string) => t.stack.subgraph('billing').orm.em.fork().execute(sql);

  it("#18 logs in as billing's role", async () => {
    const [me] = await asBilling('SELECT current_user AS me');
    expect(me).toEqual({ me: `${t.config.DB_ROLE_PREFIX}_billing` });
  });

  /** A column of each table, for an UPDATE that would change nothing if it ran. */
  const COLUMN: Record<string, string> = {
    claim_state: 'status',
    claim_charge: 'claim_id',
    claim_version: 'status',
    statement_line: 'entry_id',
  };

  it.each([...MONEY_TABLES])(
    "#18 refuses billing's login to UPDATE, DELETE or TRUNCATE %s",
    async (table) => {
      const col = COLUMN[table] ?? 'created_by';
      for (const sql of [
        `UPDATE billing.${table} SET ${col} = ${col}`,
        `DELETE FROM billing.${table}`,
        `TRUNCATE billing.${table} CASCADE`,
      ])
        await expect(asBilling(sql), sql).rejects.toMatchObject({ code: '42501' });
    },
  );

  it("#18 refuses billing's login to change a claim through its view", async () => {
    for (const sql of [
      "UPDATE billing.claim SET status = 'paid'",
      'DELETE FROM billing.claim',
      'CREATE OR REPLACE VIEW billing.claim AS SELECT * FROM billing.claim_record',
    ])
      await expect(asBilling(sql), sql).rejects.toMatchObject({ code: '42501' });
  });

  it('#18 a claim changes state by new rows, and even the superuser cannot rewrite a payment', async () => {
    const patientId = await newPatient(t, 'claim-rows');
    const coverageId = await coverageFor(t, patientId);
    const appointmentId = await visit(t, patientId);
    await waitForCharges(t, appointmentId);
    const billing = await t.token('billing');
    const created = await t.gql<{ createClaim: { id: string } }>(
      billing,
      'mutation ($i: CreateClaimInput!) { createClaim(input: $i) { id } }',
      { i: { appointmentId, coverageId, idempotencyKey: key() } },
    );
    expect(created.errors).toBeUndefined();
    const claimId = created.data!.createClaim.id;
    const submitted = await t.gql<{ submitClaim: { status: string; version: number } }>(
      billing,
      'mutation ($id: ID!) { submitClaim(id: $id) { status version } }',
      { id: claimId },
    );
    expect(submitted.data!.submitClaim).toEqual({ status: 'submitted', version: 2 });
    expect(
      await t.sql(
        'SELECT version, status FROM billing.claim_state WHERE claim_id = $1 ORDER BY version',
        [claimId],
      ),
    ).toEqual([
      { version: 1, status: 'draft' },
      { version: 2, status: 'submitted' },
    ]);
    const paid = await t.gql<{ takePayment: { id: string } }>(billing, TAKE_PAYMENT, {
      i: { patientId, amount: usd('5.00'), idempotencyKey: key() },
    });
    await expect(
      t.sql('UPDATE billing.payment SET amount_minor = 1 WHERE id = $1', [
        paid.data!.takePayment.id,
      ]),
    ).rejects.toThrow(/immutable/);
  });
});
