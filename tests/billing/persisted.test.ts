import fs from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PAYER_ID,
  loadOrCreateDevClientSecret,
  PATIENT_APP_SCOPES,
} from '../../gateway/clients/load.js';
import { DEV_IDS } from '../../platform/identity/dev-principal.js';
import { coverageFor, key, newPatient, visit, waitForCharges } from '../support/billing.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The demo payer app (UnitedHealthcare) at the production-mode edge: it gets
 * a token from the real client-credentials endpoint with the demo client
 * registry, reads its queue of submitted claims and posts an adjudication by
 * persisted id from the committed manifest, sees nothing of another payer's
 * claims, and is refused PERSISTED_QUERY_NOT_IN_LIST when it sends text.
 */
interface Manifest {
  operations: { id: string; name: string; type: string; body: string }[];
}
const manifest = JSON.parse(
  fs.readFileSync(
    path.resolve(import.meta.dirname, '..', '..', 'schema/operations/manifest.json'),
    'utf8',
  ),
) as Manifest;
const entry = (name: string) => {
  const op = manifest.operations.find((o) => o.name === name);
  if (!op) throw new Error(`${name} is not in the manifest`);
  return op;
};
const idOf = (name: string) => ({ persistedQuery: { version: 1, sha256Hash: entry(name).id } });

const PAYER_APP = DEV_IDS.payerClient;

let t: TestStack;
let origin: string;
let secret: string;

beforeAll(async () => {
  t = await startTestStack('billing-persisted', { CAREFED_PRODUCTION: '1' });
  origin = new URL(t.stack.gatewayUrl).origin;
  secret = await loadOrCreateDevClientSecret(t.config.keysDir, PAYER_APP);
});
afterAll(() => t?.stop());

async function payerAppToken(): Promise<string> {
  const res = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: PAYER_APP,
      client_secret: secret,
    }).toString(),
  });
  const body = (await res.json()) as { access_token?: string; scope?: string; patient?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body.scope).toBe('system/Claim.rus system/Coverage.rs');
  expect(body.patient).toBeUndefined();
  return body.access_token!;
}

interface Answer<T> {
  status: number;
  body: {
    data?: T | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

async function post<T = Record<string, unknown>>(token: string, body: object): Promise<Answer<T>> {
  const res = await fetch(t.stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer<T>['body'] };
}

/** A visit of a fresh patient under a coverage with `payer`, claimed and submitted by billing staff. */
async function submittedClaim(payer: 'united' | 'aetna'): Promise<{
  claimId: string;
  patientId: string;
  coverageId: string;
}> {
  const billing = await t.token('billing');
  const patientId = await newPatient(t, `persisted-${payer}`);
  const coverageId = await coverageFor(t, patientId, payer);
  const appointmentId = await visit(t, patientId);
  await waitForCharges(t, appointmentId);
  const created = await t.gql<{ createClaim: { id: string } }>(
    billing,
    'mutation ($i: CreateClaimInput!) { createClaim(input: $i) { id } }',
    { i: { appointmentId, coverageId, idempotencyKey: key() } },
  );
  expect(created.errors).toBeUndefined();
  const claimId = created.data!.createClaim.id;
  const submitted = await t.gql<{ submitClaim: { status: string } }>(
    billing,
    'mutation ($id: ID!) { submitClaim(id: $id) { status } }',
    { id: claimId },
  );
  expect(submitted.errors).toBeUndefined();
  expect(submitted.data!.submitClaim.status).toBe('submitted');
  return { claimId, patientId, coverageId };
}

interface PayerClaimsData {
  claims: {
    edges: {
      node: {
        id: string;
        status: string;
        total: { amount: string; currency: string };
        coverage: { id: string; memberId: string; plan: { id: string; name: string } };
        charges: { code: string; units: number; amount: { amount: string } }[];
      };
    }[];
    pageInfo: { hasNextPage: boolean };
  };
}

interface AdjudicatedData {
  adjudicateClaim: {
    id: string;
    status: string;
    allowed: { amount: string };
    paid: { amount: string };
    patientResponsibility: { amount: string };
    adjudicatedAt: string;
  };
}

const adjudication = (claimId: string) => ({
  id: claimId,
  input: {
    outcome: 'partiallyPaid',
    allowed: { amount: '120.00', currency: 'USD' },
    paid: { amount: '96.00', currency: 'USD' },
    payerReference: 'UHC-REF-1',
    idempotencyKey: key(),
  },
});

async function claimRow(claimId: string) {
  const [row] = await t.sql<{ status: string; version: number; paid_minor: string | null }>(
    'SELECT status, version, paid_minor::text AS paid_minor FROM billing.claim WHERE id = $1',
    [claimId],
  );
  return row;
}

async function claimEntries(claimId: string) {
  return t.sql<{ kind: string; amount_minor: string }>(
    `SELECT kind, amount_minor::text AS amount_minor FROM billing.ledger_entry
      WHERE cause_type = 'claim' AND cause_id = $1 ORDER BY kind`,
    [claimId],
  );
}

describe('the demo payer app, persisted operations only', () => {
  let united: Awaited<ReturnType<typeof submittedClaim>>;
  let aetna: Awaited<ReturnType<typeof submittedClaim>>;
  let token: string;

  beforeAll(async () => {
    united = await submittedClaim('united');
    aetna = await submittedClaim('aetna');
    token = await payerAppToken();
  }, 60_000);

  it('is issued a partner token for its payer organisation, bound to no patient', () => {
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      sub: PAYER_APP,
      client_id: PAYER_APP,
      roles: ['partner'],
      scope: 'system/Claim.rus system/Coverage.rs',
      org: DEMO_PAYER_ID,
      // It acts for payment: a consent denying payment use binds it.
      purpose_of_use: 'HPAYMT',
    });
    expect(claims.patient).toBeUndefined();
  });

  it('reads its queue by persisted id: the UnitedHealthcare claim, not the Aetna one', async () => {
    const r = await post<PayerClaimsData>(token, {
      extensions: idOf('PayerClaims'),
      variables: { first: 50 },
    });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    const nodes = r.body.data!.claims.edges.map((e) => e.node);
    const ids = nodes.map((n) => n.id);
    expect(ids).toContain(united.claimId);
    expect(ids).not.toContain(aetna.claimId);
    const mine = nodes.find((n) => n.id === united.claimId)!;
    expect(mine).toMatchObject({
      status: 'submitted',
      total: { amount: '136.02', currency: 'USD' },
      coverage: { id: united.coverageId, memberId: expect.stringMatching(/^MBR-/) },
      charges: [{ code: 'G0463', units: 1, amount: { amount: '136.02' } }],
    });
    // Every claim in its queue is against a UnitedHealthcare coverage.
    const payers = await t.sql<{ payer_id: string }>(
      'SELECT DISTINCT payer_id FROM billing.claim WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(payers).toEqual([{ payer_id: DEMO_PAYER_ID }]);
  });

  it('may not adjudicate the Aetna claim (FORBIDDEN, nothing written)', async () => {
    const r = await post<AdjudicatedData>(token, {
      extensions: idOf('PayerAdjudicateClaim'),
      variables: adjudication(aetna.claimId),
    });
    expect(r.body.data?.adjudicateClaim ?? null).toBeNull();
    expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await claimRow(aetna.claimId)).toMatchObject({ status: 'submitted', paid_minor: null });
    expect(await claimEntries(aetna.claimId)).toEqual([]);
  });

  it('posts its adjudication by persisted id, and the ledger moves', async () => {
    const r = await post<AdjudicatedData>(token, {
      extensions: idOf('PayerAdjudicateClaim'),
      variables: adjudication(united.claimId),
    });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data!.adjudicateClaim).toMatchObject({
      id: united.claimId,
      status: 'partiallyPaid',
      allowed: { amount: '120.00' },
      paid: { amount: '96.00' },
      patientResponsibility: { amount: '24.00' },
      adjudicatedAt: expect.any(String),
    });
    expect(await claimRow(united.claimId)).toMatchObject({
      status: 'partially-paid',
      paid_minor: '9600',
    });
    // The payer's payment and the contractual write-off of 136.02 − 120.00.
    expect(await claimEntries(united.claimId)).toEqual([
      { kind: 'adjustment-writeoff', amount_minor: '-1602' },
      { kind: 'insurance-payment', amount_minor: '-9600' },
    ]);
    const [sum] = await t.sql<{ total: string }>(
      'SELECT SUM(amount_minor)::text AS total FROM billing.ledger_entry WHERE account_patient_id = $1',
      [united.patientId],
    );
    expect(sum!.total).toBe('2400');

    // Adjudicated, it has left the queue of submitted claims.
    const queue = await post<PayerClaimsData>(token, { extensions: idOf('PayerClaims') });
    expect(queue.body.errors).toBeUndefined();
    expect(queue.body.data!.claims.edges.map((e) => e.node.id)).not.toContain(united.claimId);
  });

  it('is refused PERSISTED_QUERY_NOT_IN_LIST for the same mutation as text, and nothing is written', async () => {
    const another = await submittedClaim('united');
    const before = await claimRow(another.claimId);
    const body = entry('PayerAdjudicateClaim').body;
    const refusals = await Promise.all([
      post(token, { query: body, variables: adjudication(another.claimId) }),
      post(token, {
        query: body,
        variables: adjudication(another.claimId),
        extensions: idOf('PayerAdjudicateClaim'),
      }),
      post(token, {
        query: `mutation ($id: ID!, $input: AdjudicateClaimInput!) { adjudicateClaim(id: $id, input: $input) { id status } }`,
        variables: adjudication(another.claimId),
      }),
    ]);
    for (const r of refusals) {
      expect(r.status).toBe(400);
      expect(r.body.data ?? null).toBeNull();
      expect(r.body.errors?.map((e) => e.extensions?.code)).toEqual([
        'PERSISTED_QUERY_NOT_IN_LIST',
      ]);
    }
    expect(await claimRow(another.claimId)).toEqual(before);
    expect(before).toMatchObject({ status: 'submitted', paid_minor: null });
    expect(await claimEntries(another.claimId)).toEqual([]);

    // By id, the same app may.
    const ok = await post<AdjudicatedData>(token, {
      extensions: idOf('PayerAdjudicateClaim'),
      variables: adjudication(another.claimId),
    });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data!.adjudicateClaim.status).toBe('partiallyPaid');
  });
});

describe('the demo patient app, persisted operations only', () => {
  it('reads its patient’s account and pays it by persisted id, and nothing else’s', async () => {
    const patientId = await newPatient(t, 'persisted-patient-app');
    await coverageFor(t, patientId, 'united');
    // The token endpoint binds the demo app to the demo patient only (issue 11 #3): the token
    // this new patient's own authorisation (a SMART launch) would give it is signed directly.
    const app = await t.token('partner', {
      clientId: DEV_IDS.partnerClient,
      sub: DEV_IDS.partnerClient,
      patientId,
      scopes: PATIENT_APP_SCOPES,
    });

    // Issue 11 #2: PayBalance creates a payment intent; the provider's signed callback posts it.
    await waitForCharges(t, await visit(t, patientId));
    const paid = await post<{
      createPaymentIntent: { id: string; status: string; amount: { amount: string } };
    }>(app, {
      variables: {
        input: {
          patientId,
          amount: { amount: '15.00', currency: 'USD' },
          paymentMethod: 'tok_visa',
          idempotencyKey: key(),
        },
      },
      extensions: idOf('PayBalance'),
    });
    expect(paid.body.errors).toBeUndefined();
    expect(paid.body.data!.createPaymentIntent).toMatchObject({
      status: 'pending',
      amount: { amount: '15.00' },
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = await post<{ paymentIntent: { status: string } }>(app, {
        variables: { id: paid.body.data!.createPaymentIntent.id },
        extensions: idOf('PaymentIntentStatus'),
      });
      expect(s.body.errors).toBeUndefined();
      if (s.body.data!.paymentIntent.status === 'succeeded') break;
      if (Date.now() > deadline) throw new Error('the payment was never confirmed');
      await new Promise((r) => setTimeout(r, 100));
    }

    const account = await post<{
      patient: {
        balance: { amount: string };
        coverages: { payer: { name: string } }[];
        payments: { edges: { node: { amount: { amount: string } } }[] };
      };
    }>(app, { variables: { id: patientId }, extensions: idOf('PatientBilling') });
    expect(account.body.errors).toBeUndefined();
    expect(account.body.data!.patient.balance.amount).toBe('121.02');
    expect(account.body.data!.patient.coverages.map((c) => c.payer.name)).toEqual([
      'UnitedHealthcare',
    ]);
    expect(account.body.data!.patient.payments.edges.map((e) => e.node.amount.amount)).toEqual([
      '15.00',
    ]);

    // Bound to one patient: another's account is refused, and nothing is paid into it.
    const other = await newPatient(t, 'persisted-other');
    const foreign = await post(app, {
      variables: {
        input: {
          patientId: other,
          amount: { amount: '1.00', currency: 'USD' },
          paymentMethod: 'tok_visa',
          idempotencyKey: key(),
        },
      },
      extensions: idOf('PayBalance'),
    });
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await t.sql('SELECT id FROM billing.payment WHERE patient_id = $1', [other])).toEqual(
      [],
    );
  });
});
