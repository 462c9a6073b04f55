import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PAYER_APPS,
  balanceOf,
  coverageFor,
  key,
  newPatient,
  payerToken,
  visit,
  waitForCharges,
} from '../support/billing.js';
import { textPartnerClients } from '../support/clients.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack(
    'billing-flow',
    textPartnerClients([PAYER_APPS.united, PAYER_APPS.aetna]),
  );
});
afterAll(() => t?.stop());

describe('billing, end to end through the gateway', () => {
  it('charges a completed visit once, claims it, lets the payer adjudicate, and the patient pay', async () => {
    const billing = await t.token('billing');
    const patientId = await newPatient(t, 'flow');
    const coverageId = await coverageFor(t, patientId, 'united');
    const appointmentId = await visit(t, patientId);
    const charges = await waitForCharges(t, appointmentId);
    expect(charges).toMatchObject([{ code: 'G0463', amount_minor: '13602', kind: 'service' }]);
    expect(await balanceOf(t, patientId, billing)).toBe('136.02');

    const viaAppointment = await t.gql<{
      _entities: { charges: { code: string; amount: { amount: string } }[] }[];
    }>(
      billing,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Appointment { charges { code amount { amount } } } } }`,
      { r: [{ __typename: 'Appointment', id: appointmentId }] },
    );
    // The gateway does not expose _entities; Appointment.charges is reached through scheduling's appointment(id).
    expect(viaAppointment.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const appt = await t.gql<{
      appointment: { charges: { code: string; amount: { amount: string } }[] };
    }>(
      await t.token('admin'),
      `query ($id: ID!) { appointment(id: $id) { id charges { code amount { amount } } } }`,
      { id: appointmentId },
    );
    expect(appt.errors).toBeUndefined();
    expect(appt.data!.appointment.charges).toEqual([
      { code: 'G0463', amount: { amount: '136.02' } },
    ]);

    const created = await t.gql<{
      createClaim: { id: string; status: string; total: { amount: string } };
    }>(
      billing,
      `mutation ($i: CreateClaimInput!) { createClaim(input: $i) { id status total { amount } } }`,
      { i: { appointmentId, coverageId, idempotencyKey: key() } },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createClaim).toMatchObject({
      status: 'draft',
      total: { amount: '136.02' },
    });
    const claimId = created.data!.createClaim.id;
    const submitted = await t.gql<{ submitClaim: { status: string } }>(
      billing,
      `mutation ($id: ID!) { submitClaim(id: $id) { status } }`,
      { id: claimId },
    );
    expect(submitted.data?.submitClaim.status).toBe('submitted');

    // Another payer's app does not see the claim at all.
    const aetna = await payerToken(t, 'aetna');
    const foreignQueue = await t.gql<{ claims: { edges: unknown[] } }>(
      aetna,
      `{ claims(status: [submitted]) { edges { node { id } } } }`,
    );
    expect(foreignQueue.errors).toBeUndefined();
    expect(foreignQueue.data?.claims.edges).toEqual([]);
    const foreign = await t.gql(aetna, `query ($id: ID!) { claim(id: $id) { id } }`, {
      id: claimId,
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const united = await payerToken(t, 'united');
    const queue = await t.gql<{
      claims: { edges: { node: { id: string; coverage: { memberId: string } } }[] };
    }>(united, `{ claims(status: [submitted]) { edges { node { id coverage { memberId } } } } }`);
    expect(queue.errors).toBeUndefined();
    expect(queue.data!.claims.edges.map((e) => e.node.id)).toContain(claimId);

    const adjudication = {
      outcome: 'partiallyPaid',
      allowed: { amount: '120.00', currency: 'USD' },
      paid: { amount: '96.00', currency: 'USD' },
      idempotencyKey: key(),
    };
    const adjudicate = () =>
      t.gql<{
        adjudicateClaim: { status: string; patientResponsibility: { amount: string } };
      }>(
        united,
        `mutation ($id: ID!, $i: AdjudicateClaimInput!) { adjudicateClaim(id: $id, input: $i) { status patientResponsibility { amount } } }`,
        { id: claimId, i: adjudication },
      );
    const adjudicated = await adjudicate();
    expect(adjudicated.errors).toBeUndefined();
    expect(adjudicated.data!.adjudicateClaim).toEqual({
      status: 'partiallyPaid',
      patientResponsibility: { amount: '24.00' },
    });
    // 136.02 − 96.00 paid − 16.02 contractual write-off = 24.00 owed.
    expect(await balanceOf(t, patientId, billing)).toBe('24.00');
    // A retry with the same key answers the same, posts nothing, and is audited as a read.
    const replayed = await adjudicate();
    expect(replayed.errors).toBeUndefined();
    expect(replayed.data).toEqual(adjudicated.data);
    expect(await balanceOf(t, patientId, billing)).toBe('24.00');
    const audited = await t.sql<{ action: string }>(
      `SELECT payload::jsonb ->> 'action' AS action FROM audit.entry
        WHERE payload::jsonb ->> 'resourceId' = $1 AND payload::jsonb -> 'actor' ->> 'clientId' = $2
        ORDER BY seq DESC LIMIT 2`,
      [claimId, PAYER_APPS.united],
    );
    expect(audited.map((r) => r.action)).toEqual(['read', 'update']);

    const patient = await t.token('patient', { patientId, sub: `patient-${patientId}` });
    expect(await balanceOf(t, patientId, patient)).toBe('24.00');
    // The patient pays through the payment provider (issue 11 #2): posted on its signed callback.
    const paid = await t.gql<{ createPaymentIntent: { id: string } }>(
      patient,
      `mutation ($i: CreatePaymentIntentInput!) { createPaymentIntent(input: $i) { id } }`,
      {
        i: {
          patientId,
          amount: { amount: '24.00', currency: 'USD' },
          paymentMethod: 'tok_visa',
          idempotencyKey: key(),
        },
      },
    );
    expect(paid.errors).toBeUndefined();
    const deadline = Date.now() + 15_000;
    while ((await balanceOf(t, patientId, patient)) !== '0.00') {
      if (Date.now() > deadline) throw new Error('the payment was never confirmed');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await balanceOf(t, patientId, patient)).toBe('0.00');

    const statement = await t.gql<{
      issueStatement: {
        sequence: number;
        openingBalance: { amount: string };
        closingBalance: { amount: string };
        lines: {
          edges: { node: { kind: string; amount: { amount: string }; description: string } }[];
        };
      };
    }>(
      billing,
      `mutation ($i: IssueStatementInput!) { issueStatement(input: $i) { sequence openingBalance { amount } closingBalance { amount } lines { edges { node { kind amount { amount } description } } } } }`,
      { i: { patientId, idempotencyKey: key() } },
    );
    expect(statement.errors).toBeUndefined();
    const s = statement.data!.issueStatement;
    expect(s.sequence).toBe(1);
    expect(s.openingBalance.amount).toBe('0.00');
    expect(s.closingBalance.amount).toBe('0.00');
    // The claim's two entries share one transaction (and timestamp): compare as a set.
    expect(s.lines.edges.map(({ node: l }) => `${l.kind} ${l.amount.amount}`).sort()).toEqual(
      ['charge 136.02', 'insurancePayment -96.00', 'writeOff -16.02', 'payment -24.00'].sort(),
    );

    const seen = await t.gql<{
      patient: { statements: { edges: { node: { sequence: number } }[] } };
    }>(
      patient,
      `query ($id: ID!) { patient(id: $id) { statements { edges { node { sequence } } } } }`,
      { id: patientId },
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.patient.statements.edges).toEqual([{ node: { sequence: 1 } }]);
  });

  it('logs the reference data import at start: counts, and the codes CMS prices below a cent', () => {
    const line = t
      .logs()
      .split('\n')
      .find((l) => l.includes('billing reference data imported'));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ payers: 9, plans: 19, codes: 6664, unpriced: 519 });
    expect(t.logs()).not.toContain('reference data row rejected');
  });
});
