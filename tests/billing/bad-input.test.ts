import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PLANS,
  coverageFor,
  key,
  newPatient,
  visit,
  waitForAppointmentState,
  waitForCharges,
} from '../support/billing.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Bad input to every billing mutation (and the paged queries) through the
 * gateway: a typed error (BAD_USER_INPUT, or the documented CONFLICT,
 * INVALID_TRANSITION, FORBIDDEN) with a message that says what is wrong,
 * never a 500 or INTERNAL_SERVER_ERROR, and not one row written in any
 * billing table. A canary put into the free-text fields (member id, reasons,
 * denial reason, payer reference) never comes back in an error, nor reaches
 * the logs.
 */
let t: TestStack;
let billing: string;
/** The patient: a United primary coverage from 2026-01-01, one completed visit, a payment of 10.00. */
let P: string;
let coverage: string;
let appt: string;
let paymentId: string;
/** A claim of P's visit, submitted: every bad adjudication is tried on it. */
let submitted: string;

const CANARY = `Zq${randomBytes(6).toString('hex')}`;
/** Every error answer of this file, checked for the canary at the end. */
const answers: string[] = [];

const usd = (amount: string) => ({ amount, currency: 'USD' });

const TABLES = [
  'coverage',
  'claim',
  'claim_charge',
  'claim_version',
  'charge',
  'payment',
  'refund',
  'adjustment',
  'statement',
  'statement_line',
  'ledger_entry',
  'idempotency_key',
  'outbox',
] as const;

async function counts(): Promise<Record<string, number>> {
  const [row] = await t.sql<Record<string, string>>(
    `SELECT ${TABLES.map((x) => `(SELECT count(*) FROM billing.${x}) AS ${x}`).join(', ')}`,
  );
  return Object.fromEntries(TABLES.map((x) => [x, Number(row![x])]));
}

const TAKE_PAYMENT = /* GraphQL */ `
  mutation ($i: TakePaymentInput!) {
    takePayment(input: $i) {
      id
      amount {
        amount
      }
      replayed
    }
  }
`;
const RECORD_COVERAGE = /* GraphQL */ `
  mutation ($i: RecordCoverageInput!) {
    recordCoverage(input: $i) {
      id
      memberId
    }
  }
`;
const CANCEL_COVERAGE = /* GraphQL */ `
  mutation ($id: ID!, $v: Int!) {
    cancelCoverage(id: $id, expectedVersion: $v) {
      id
      status
      version
    }
  }
`;
const CREATE_CLAIM = /* GraphQL */ `
  mutation ($i: CreateClaimInput!) {
    createClaim(input: $i) {
      id
      status
    }
  }
`;
const SUBMIT_CLAIM = /* GraphQL */ `
  mutation ($id: ID!, $v: Int) {
    submitClaim(id: $id, expectedVersion: $v) {
      id
      status
      version
    }
  }
`;
const ADJUDICATE_CLAIM = /* GraphQL */ `
  mutation ($id: ID!, $i: AdjudicateClaimInput!) {
    adjudicateClaim(id: $id, input: $i) {
      id
      status
      version
    }
  }
`;
const CLOSE_CLAIM = /* GraphQL */ `
  mutation ($id: ID!) {
    closeClaim(id: $id) {
      id
      status
    }
  }
`;
const REFUND_PAYMENT = /* GraphQL */ `
  mutation ($i: RefundPaymentInput!) {
    refundPayment(input: $i) {
      id
      amount {
        amount
      }
      replayed
    }
  }
`;
const ADJUST_BALANCE = /* GraphQL */ `
  mutation ($i: AdjustBalanceInput!) {
    adjustBalance(input: $i) {
      id
      amount {
        amount
      }
    }
  }
`;
const ISSUE_STATEMENT = /* GraphQL */ `
  mutation ($i: IssueStatementInput!) {
    issueStatement(input: $i) {
      id
      sequence
      dueOn
    }
  }
`;

async function ok<T>(query: string, variables: object): Promise<T> {
  const r = await t.gql<T>(billing, query, variables);
  expect(r.errors).toBeUndefined();
  return r.data!;
}

async function newClaim(patientId: string, coverageId: string): Promise<string> {
  const a = await visit(t, patientId);
  await waitForCharges(t, a);
  const d = await ok<{ createClaim: { id: string } }>(CREATE_CLAIM, {
    i: { appointmentId: a, coverageId, idempotencyKey: key() },
  });
  return d.createClaim.id;
}

async function submittedClaim(): Promise<string> {
  const id = await newClaim(P, coverage);
  await ok(SUBMIT_CLAIM, { id });
  return id;
}

beforeAll(async () => {
  t = await startTestStack('billing-bad-input');
  billing = await t.token('billing');
  P = (await newPatient(t, 'badinput')).toLowerCase();
  coverage = await coverageFor(t, P, 'united', 1);
  appt = await visit(t, P);
  await waitForCharges(t, appt);
  paymentId = (
    await ok<{ takePayment: { id: string } }>(TAKE_PAYMENT, {
      i: { patientId: P, amount: usd('10.00'), idempotencyKey: key() },
    })
  ).takePayment.id;
  submitted = await submittedClaim();
}, 120_000);
afterAll(() => t?.stop());

interface Expectation {
  code?: string;
  /** What the message must say. */
  message?: RegExp;
  /** extensions.field, when the product names the field. */
  field?: string;
}

/**
 * Sends a request as billing staff and expects it refused with `code` and
 * nothing written; returns the answer.
 */
async function refused(
  query: string,
  variables: object,
  { code = 'BAD_USER_INPUT', message, field }: Expectation = {},
): Promise<GqlResponse<Record<string, unknown>>> {
  const before = await counts();
  const r = await t.gql<Record<string, unknown>>(billing, query, variables);
  answers.push(JSON.stringify(r));
  expect(r.status).toBeLessThan(500);
  expect(r.errors?.length).toBeGreaterThan(0);
  expect(r.errors!.map((e) => e.extensions?.code)).not.toContain('INTERNAL_SERVER_ERROR');
  expect(r.errors![0]!.extensions?.code).toBe(code);
  const text = r.errors![0]!.message;
  expect(text.length).toBeGreaterThan(5);
  if (message) expect(text).toMatch(message);
  if (field) expect(r.errors![0]!.extensions?.field).toBe(field);
  expect(JSON.stringify(r)).not.toContain(CANARY);
  for (const value of Object.values(r.data ?? {})) expect(value).toBeNull();
  expect(await counts()).toEqual(before);
  return r;
}

/** Validation by class-validator (type-graphql): names the property and the rule, never the value. */
const validation = (property: string, constraint: string) => (r: GqlResponse<unknown>) => {
  const errors = r.errors![0]!.extensions?.validationErrors as {
    property: string;
    constraints: string[];
  }[];
  expect(errors).toEqual(
    expect.arrayContaining([{ property, constraints: expect.arrayContaining([constraint]) }]),
  );
};

type Case = [string, Record<string, unknown>, Expectation, ((r: GqlResponse<unknown>) => void)?];

/** Money input cases every amount field shares: [what, amount, expectation]. */
const BAD_AMOUNTS: [string, unknown, RegExp][] = [
  ['"12.345" USD (more decimals than USD has)', usd('12.345'), /USD has 2 decimal places/],
  ['"1e3" (an exponent)', usd('1e3'), /Not a decimal amount/],
  ['"abc"', usd('abc'), /Not a decimal amount/],
  ['"12,50" (a comma)', usd('12,50'), /Not a decimal amount/],
  [
    '"5.5" JPY (JPY has no decimals)',
    { amount: '5.5', currency: 'JPY' },
    /JPY has 0 decimal places/,
  ],
  ['currency "XXX"', { amount: '5.00', currency: 'XXX' }, /Unsupported currency/],
];

describe('takePayment', () => {
  const valid = () => ({ patientId: P, amount: usd('5.00'), idempotencyKey: key() });

  const CASES: Case[] = [
    ...BAD_AMOUNTS.map(([what, amount, message]): Case => [
      what,
      { amount },
      { message, field: 'amount' },
    ]),
    ['"-5.00" (must be positive)', { amount: usd('-5.00') }, { message: /more than zero/ }],
    ['"0.00"', { amount: usd('0.00') }, { message: /more than zero/, field: 'amount' }],
    [
      'currency "usd" (lower case)',
      { amount: { amount: '5.00', currency: 'usd' } },
      { message: /Unsupported currency/, field: 'amount' },
    ],
    [
      'an amount of 25 digits',
      { amount: usd('1'.repeat(25)) },
      { message: /Not a decimal amount/, field: 'amount' },
    ],
    [
      'an amount over what one operation may move (bigint-safe, never a 500)',
      { amount: usd('999999999999999999.99') },
      { message: /larger than one operation may move/, field: 'amount' },
    ],
    [
      'the amount as a JSON number (12.5)',
      { amount: { amount: 12.5, currency: 'USD' } },
      { message: /String cannot represent/ },
    ],
    ['a patient id that is not a UUID', { patientId: "1' OR '1'='1" }, { field: 'patientId' }],
    [
      'an idempotency key too short',
      { idempotencyKey: 'short' },
      {},
      validation('idempotencyKey', 'matches'),
    ],
    [
      'an idempotency key too long',
      { idempotencyKey: 'k'.repeat(129) },
      {},
      validation('idempotencyKey', 'matches'),
    ],
    [
      'an idempotency key with SQL',
      { idempotencyKey: "x'); DELETE FROM billing.payment;--" },
      {},
      validation('idempotencyKey', 'matches'),
    ],
    ['an unknown input field', { tip: '1.00' }, { message: /"tip" is not defined/ }],
    ['no amount', { amount: undefined }, { message: /amount/ }],
    [
      'another currency than the account’s',
      { amount: { amount: '5.00', currency: 'EUR' } },
      { message: /Accounts are kept in USD/, field: 'amount' },
    ],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, change, expectation, more) => {
    const r = await refused(TAKE_PAYMENT, { i: { ...valid(), ...change } }, expectation);
    more?.(r);
  });

  it('a reused idempotency key with another amount is CONFLICT; with the same amount a replay', async () => {
    const k = key();
    const first = await ok<{ takePayment: { id: string } }>(TAKE_PAYMENT, {
      i: { ...valid(), idempotencyKey: k },
    });
    await refused(
      TAKE_PAYMENT,
      { i: { ...valid(), amount: usd('6.00'), idempotencyKey: k } },
      { code: 'CONFLICT', message: /idempotency key|key/i },
    );
    const before = await counts();
    const again = await ok<{ takePayment: { id: string; replayed: boolean } }>(TAKE_PAYMENT, {
      i: { ...valid(), idempotencyKey: k },
    });
    expect(again.takePayment).toMatchObject({ id: first.takePayment.id, replayed: true });
    expect(await counts()).toEqual(before);
  });

  it('the valid request is accepted', async () => {
    const d = await ok<{ takePayment: { amount: { amount: string } } }>(TAKE_PAYMENT, {
      i: valid(),
    });
    expect(d.takePayment.amount.amount).toBe('5.00');
  });
});

describe('recordCoverage', () => {
  const valid = () => ({
    patientId: P,
    planId: PLANS.aetna,
    memberId: 'MBR-0001',
    relationship: 'self',
    periodStart: '2030-01-01',
    periodEnd: '2030-12-31',
    priority: 3,
    idempotencyKey: key(),
  });

  const CASES: Case[] = [
    ['a patient id that is not a UUID', { patientId: 'patient-1' }, { field: 'patientId' }],
    ['an unknown plan', { planId: '99999' }, { message: /Unknown plan/, field: 'planId' }],
    ['a plan id that is not a number', { planId: 'GOLD' }, { message: /Unknown plan/ }],
    [
      'a member id with spaces',
      { memberId: `${CANARY} 12` },
      { message: /memberId must be 1 to 40 letters, digits or hyphens/, field: 'memberId' },
    ],
    [
      'a member id of 41 characters',
      { memberId: CANARY.padEnd(41, 'X') },
      {},
      validation('memberId', 'isLength'),
    ],
    ['a member id with SQL', { memberId: `${CANARY}';--` }, { field: 'memberId' }],
    ['an empty member id', { memberId: '' }, {}, validation('memberId', 'isLength')],
    [
      'periodEnd before periodStart',
      { periodStart: '2030-06-01', periodEnd: '2030-05-31' },
      { message: /periodEnd cannot be before periodStart/, field: 'periodEnd' },
    ],
    [
      'an impossible periodStart 2026-02-30',
      { periodStart: '2026-02-30' },
      { message: /periodStart must be a date/, field: 'periodStart' },
    ],
    [
      'an impossible periodEnd 2030-13-01',
      { periodEnd: '2030-13-01' },
      { message: /periodEnd must be a date/, field: 'periodEnd' },
    ],
    [
      'a periodStart with a time',
      { periodStart: '2030-01-01T00:00:00Z' },
      { field: 'periodStart' },
    ],
    ['a periodStart not zero-padded', { periodStart: '2030-1-1' }, { field: 'periodStart' }],
    ['priority 0', { priority: 0 }, {}, validation('priority', 'min')],
    ['priority 10', { priority: 10 }, {}, validation('priority', 'max')],
    ['priority 1.5', { priority: 1.5 }, { message: /Int cannot represent/ }],
    ['an unknown relationship', { relationship: 'cousin' }, { message: /enum/ }],
    [
      'an idempotency key too short',
      { idempotencyKey: 'abc' },
      {},
      validation('idempotencyKey', 'matches'),
    ],
    ['an unknown input field', { groupNumber: CANARY }, { message: /not defined/ }],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, change, expectation, more) => {
    const r = await refused(RECORD_COVERAGE, { i: { ...valid(), ...change } }, expectation);
    more?.(r);
  });

  it('an active coverage of the same priority overlapping an existing one is CONFLICT', async () => {
    await refused(
      RECORD_COVERAGE,
      { i: { ...valid(), planId: PLANS.united, priority: 1, periodStart: '2026-06-01' } },
      { code: 'CONFLICT', message: /already has an active coverage of this priority/ },
    );
  });

  it('the valid request is accepted', async () => {
    const d = await ok<{ recordCoverage: { memberId: string } }>(RECORD_COVERAGE, { i: valid() });
    expect(d.recordCoverage.memberId).toBe('MBR-0001');
  });
});

describe('cancelCoverage', () => {
  it('with an id that is not a UUID', async () => {
    await refused(CANCEL_COVERAGE, { id: 'cov-1', v: 1 }, { field: 'id' });
  });

  it('with a stale expectedVersion: CONFLICT with currentVersion; then cancelling twice: CONFLICT', async () => {
    const id = await coverageFor(t, P, 'aetna', 8);
    const r = await refused(CANCEL_COVERAGE, { id, v: 2 }, { code: 'CONFLICT' });
    expect(r.errors![0]!.extensions?.currentVersion).toBe(1);
    await refused(CANCEL_COVERAGE, { id, v: 0 }, { field: 'expectedVersion' });
    const done = await ok<{ cancelCoverage: { version: number } }>(CANCEL_COVERAGE, { id, v: 1 });
    expect(done.cancelCoverage.version).toBe(2);
    const twice = await refused(
      CANCEL_COVERAGE,
      { id, v: 2 },
      {
        code: 'CONFLICT',
        message: /already cancelled/,
      },
    );
    expect(twice.errors![0]!.extensions?.currentVersion).toBe(2);
  });
});

describe('createClaim', () => {
  it('for an appointment with no charges (cancelled): BAD_USER_INPUT', async () => {
    const cancelled = await visit(t, P, 'cancelled');
    await waitForAppointmentState(t, cancelled, 'cancelled');
    await refused(
      CREATE_CLAIM,
      { i: { appointmentId: cancelled, coverageId: coverage, idempotencyKey: key() } },
      { message: /no .*charge/i, field: 'appointmentId' },
    );
  });

  it('for an appointment billing has never heard of: BAD_USER_INPUT', async () => {
    await refused(
      CREATE_CLAIM,
      { i: { appointmentId: randomUUID(), coverageId: coverage, idempotencyKey: key() } },
      { message: /no charges/, field: 'appointmentId' },
    );
  });

  it('under a coverage of another patient, or not in force on the date of service: BAD_USER_INPUT', async () => {
    const other = await newPatient(t, 'badinput-other');
    const foreign = await coverageFor(t, other, 'united');
    const a = await visit(t, P);
    await waitForCharges(t, a);
    await refused(
      CREATE_CLAIM,
      { i: { appointmentId: a, coverageId: foreign, idempotencyKey: key() } },
      { message: /does not belong/, field: 'coverageId' },
    );
    const later = (
      await ok<{ recordCoverage: { id: string } }>(RECORD_COVERAGE, {
        i: {
          patientId: P,
          planId: PLANS.aetna,
          memberId: 'MBR-LATER',
          relationship: 'self',
          periodStart: '2031-01-01',
          priority: 4,
          idempotencyKey: key(),
        },
      })
    ).recordCoverage.id;
    await refused(
      CREATE_CLAIM,
      { i: { appointmentId: a, coverageId: later, idempotencyKey: key() } },
      { message: /not in force/, field: 'coverageId' },
    );
  });

  it.each([
    ['an appointment id that is not a UUID', () => ({ appointmentId: 'appt-1' }), 'appointmentId'],
    ['a coverage id that is not a UUID', () => ({ coverageId: "' OR 1=1 --" }), 'coverageId'],
  ])('with %s: BAD_USER_INPUT', async (_what, change, field) => {
    await refused(
      CREATE_CLAIM,
      { i: { appointmentId: appt, coverageId: coverage, idempotencyKey: key(), ...change() } },
      { field },
    );
  });

  it('with an idempotency key too short: BAD_USER_INPUT', async () => {
    const r = await refused(CREATE_CLAIM, {
      i: { appointmentId: appt, coverageId: coverage, idempotencyKey: 'k1' },
    });
    validation('idempotencyKey', 'matches')(r);
  });

  it('a second claim of one appointment under one coverage is CONFLICT', async () => {
    const [existing] = await t.sql<{ appointment_id: string; coverage_id: string }>(
      'SELECT appointment_id, coverage_id FROM billing.claim WHERE id = $1',
      [submitted],
    );
    await refused(
      CREATE_CLAIM,
      {
        i: {
          appointmentId: existing!.appointment_id,
          coverageId: existing!.coverage_id,
          idempotencyKey: key(),
        },
      },
      { code: 'CONFLICT', message: /already has a claim/ },
    );
  });
});

describe('claim transitions', () => {
  it('submitClaim twice: INVALID_TRANSITION naming from and to', async () => {
    const r = await refused(SUBMIT_CLAIM, { id: submitted }, { code: 'INVALID_TRANSITION' });
    expect(r.errors![0]!.extensions).toMatchObject({ from: 'submitted', to: 'submitted' });
    expect(r.errors![0]!.message).toMatch(/submitted/);
  });

  it('submitClaim with a stale expectedVersion: CONFLICT with currentVersion', async () => {
    const a = await visit(t, P);
    await waitForCharges(t, a);
    const draft = (
      await ok<{ createClaim: { id: string } }>(CREATE_CLAIM, {
        i: { appointmentId: a, coverageId: coverage, idempotencyKey: key() },
      })
    ).createClaim.id;
    const r = await refused(SUBMIT_CLAIM, { id: draft, v: 7 }, { code: 'CONFLICT' });
    expect(r.errors![0]!.extensions?.currentVersion).toBe(1);
    // A draft cannot be adjudicated or closed.
    const adj = await refused(
      ADJUDICATE_CLAIM,
      {
        id: draft,
        i: { outcome: 'paid', allowed: usd('100.00'), paid: usd('100.00'), idempotencyKey: key() },
      },
      { code: 'INVALID_TRANSITION' },
    );
    expect(adj.errors![0]!.extensions).toMatchObject({ from: 'draft', to: 'paid' });
    const close = await refused(CLOSE_CLAIM, { id: draft }, { code: 'INVALID_TRANSITION' });
    expect(close.errors![0]!.extensions).toMatchObject({ from: 'draft', to: 'closed' });
  });

  it('closeClaim of a submitted claim: INVALID_TRANSITION', async () => {
    const r = await refused(CLOSE_CLAIM, { id: submitted }, { code: 'INVALID_TRANSITION' });
    expect(r.errors![0]!.extensions).toMatchObject({ from: 'submitted', to: 'closed' });
  });

  it.each([
    ['submitClaim', SUBMIT_CLAIM],
    ['closeClaim', CLOSE_CLAIM],
  ])('%s with an id that is not a UUID: BAD_USER_INPUT', async (_op, query) => {
    await refused(query, { id: '1 OR 1=1' }, { field: 'id' });
  });
});

describe('adjudicateClaim (claim total 136.02 USD)', () => {
  const valid = () => ({
    outcome: 'partiallyPaid',
    allowed: usd('120.00'),
    paid: usd('96.00'),
    idempotencyKey: key(),
  });

  const CASES: Case[] = [
    [
      'paid > allowed',
      { allowed: usd('100.00'), paid: usd('120.00') },
      { message: /paid cannot exceed allowed/, field: 'paid' },
    ],
    [
      'allowed > total',
      { outcome: 'paid', allowed: usd('200.00'), paid: usd('200.00') },
      { message: /allowed cannot exceed the claim total/, field: 'allowed' },
    ],
    [
      'denied without a reason',
      { outcome: 'denied', allowed: usd('0.00'), paid: usd('0.00') },
      { message: /denial needs a reason/, field: 'denialReason' },
    ],
    [
      'denied with a blank reason',
      { outcome: 'denied', allowed: usd('0.00'), paid: usd('0.00'), denialReason: '   ' },
      { message: /denial needs a reason/, field: 'denialReason' },
    ],
    [
      'denied yet paying',
      {
        outcome: 'denied',
        allowed: usd('100.00'),
        paid: usd('50.00'),
        denialReason: `CO-50 ${CANARY}`,
      },
      { message: /denied claim pays nothing/, field: 'paid' },
    ],
    [
      'partiallyPaid with paid = allowed',
      { allowed: usd('100.00'), paid: usd('100.00') },
      { message: /less than allowed/, field: 'paid' },
    ],
    [
      'partiallyPaid paying nothing',
      { allowed: usd('100.00'), paid: usd('0.00') },
      { message: /more than 0/, field: 'paid' },
    ],
    [
      'paid with paid < allowed',
      { outcome: 'paid', allowed: usd('120.00'), paid: usd('100.00') },
      { message: /whole allowed amount/, field: 'paid' },
    ],
    [
      'mixed currencies',
      { allowed: { amount: '100.00', currency: 'EUR' }, paid: usd('50.00') },
      { message: /currency \(USD\)/, field: 'allowed' },
    ],
    [
      'both amounts in a currency other than the claim’s',
      {
        allowed: { amount: '100.00', currency: 'EUR' },
        paid: { amount: '50.00', currency: 'EUR' },
      },
      { message: /claim's currency/ },
    ],
    ['a negative allowed', { allowed: usd('-1.00') }, { message: /negative/, field: 'allowed' }],
    ['an allowed of "12.345"', { allowed: usd('12.345') }, { message: /decimal places/ }],
    ['a paid of "1e2"', { paid: usd('1e2') }, { message: /Not a decimal amount/, field: 'paid' }],
    [
      'a denial reason on a paid claim',
      { denialReason: `CO-45 ${CANARY}` },
      { message: /Only a denial carries a reason/, field: 'denialReason' },
    ],
    [
      'a denial reason of 201 characters',
      {
        outcome: 'denied',
        allowed: usd('0.00'),
        paid: usd('0.00'),
        denialReason: CANARY.padEnd(201, 'x'),
      },
      {},
      validation('denialReason', 'isLength'),
    ],
    [
      'a denial reason with a control character',
      {
        outcome: 'denied',
        allowed: usd('0.00'),
        paid: usd('0.00'),
        denialReason: `CO-50\n${CANARY}`,
      },
      { message: /printable/, field: 'denialReason' },
    ],
    [
      'a payer reference with spaces',
      { payerReference: `REF ${CANARY}` },
      { message: /payerReference is 1 to 64/, field: 'payerReference' },
    ],
    [
      'a payer reference of 101 characters',
      { payerReference: CANARY.padEnd(101, '0') },
      {},
      validation('payerReference', 'isLength'),
    ],
    ['an unknown outcome', { outcome: 'approved' }, { message: /enum/ }],
    [
      'an idempotency key too short',
      { idempotencyKey: '1234567' },
      {},
      validation('idempotencyKey', 'matches'),
    ],
    ['an unknown input field', { note: CANARY }, { message: /not defined/ }],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, change, expectation, more) => {
    const r = await refused(
      ADJUDICATE_CLAIM,
      { id: submitted, i: { ...valid(), ...change } },
      expectation,
    );
    more?.(r);
  });

  it('with a claim id that is not a UUID: BAD_USER_INPUT', async () => {
    await refused(ADJUDICATE_CLAIM, { id: 'claim-1', i: valid() }, { field: 'id' });
  });

  it('left the claim submitted at its version, with no ledger entry', async () => {
    const [row] = await t.sql(
      'SELECT status, version, allowed_minor, paid_minor FROM billing.claim WHERE id = $1',
      [submitted],
    );
    expect(row).toEqual({ status: 'submitted', version: 2, allowed_minor: null, paid_minor: null });
    expect(
      await t.sql('SELECT 1 FROM billing.ledger_entry WHERE cause_id = $1', [submitted]),
    ).toEqual([]);
  });

  it('a reused key with other amounts is CONFLICT; adjudicating again is INVALID_TRANSITION', async () => {
    const id = await submittedClaim();
    const k = key();
    await ok(ADJUDICATE_CLAIM, { id, i: { ...valid(), idempotencyKey: k } });
    await refused(
      ADJUDICATE_CLAIM,
      { id, i: { ...valid(), paid: usd('90.00'), idempotencyKey: k } },
      { code: 'CONFLICT' },
    );
    const again = await refused(
      ADJUDICATE_CLAIM,
      {
        id,
        i: { outcome: 'paid', allowed: usd('100.00'), paid: usd('100.00'), idempotencyKey: key() },
      },
      { code: 'INVALID_TRANSITION' },
    );
    // Statuses as the API spells them (the ClaimStatus enum), not as stored (partially-paid).
    expect(again.errors![0]!.extensions).toMatchObject({ from: 'partiallyPaid', to: 'paid' });
    expect(again.errors![0]!.message).toBe('A claim that is partiallyPaid cannot become paid');
    const closed = await ok<{ closeClaim: { status: string } }>(CLOSE_CLAIM, { id });
    expect(closed.closeClaim.status).toBe('closed');
    const twice = await refused(CLOSE_CLAIM, { id }, { code: 'INVALID_TRANSITION' });
    expect(twice.errors![0]!.extensions).toMatchObject({ from: 'closed', to: 'closed' });
  });

  it('the valid request is accepted', async () => {
    const d = await ok<{ adjudicateClaim: { status: string } }>(ADJUDICATE_CLAIM, {
      id: submitted,
      i: valid(),
    });
    expect(d.adjudicateClaim.status).toBe('partiallyPaid');
  });
});

describe('refundPayment (payment of 10.00 USD)', () => {
  const valid = () => ({
    paymentId,
    amount: usd('1.00'),
    reason: 'Overpaid copay',
    idempotencyKey: key(),
  });

  const CASES: Case[] = [
    [
      'more than the payment',
      { amount: usd('10.01'), reason: CANARY },
      { message: /At most 10\.00 USD/, field: 'amount' },
    ],
    [
      'another currency than the payment’s',
      { amount: { amount: '1.00', currency: 'EUR' } },
      { message: /currency of its payment \(USD\)/, field: 'amount' },
    ],
    ['"0.00"', { amount: usd('0.00') }, { message: /more than zero/, field: 'amount' }],
    ['"-1.00"', { amount: usd('-1.00') }, { message: /more than zero/, field: 'amount' }],
    ['"1.005"', { amount: usd('1.005') }, { message: /decimal places/, field: 'amount' }],
    ['an empty reason', { reason: '' }, {}, validation('reason', 'isLength')],
    ['a blank reason', { reason: '    ' }, { message: /Give a reason/, field: 'reason' }],
    [
      'a reason of 501 characters',
      { reason: CANARY.padEnd(501, '.') },
      {},
      validation('reason', 'isLength'),
    ],
    ['a payment id that is not a UUID', { paymentId: 'pay-1' }, { field: 'paymentId' }],
    [
      'an idempotency key too short',
      { idempotencyKey: 'x' },
      {},
      validation('idempotencyKey', 'matches'),
    ],
    ['an unknown input field', { method: CANARY }, { message: /not defined/ }],
    [
      'a payment that does not exist (FORBIDDEN, as a payment of someone else)',
      { paymentId: randomUUID(), reason: CANARY },
      { code: 'FORBIDDEN' },
    ],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, change, expectation, more) => {
    const r = await refused(REFUND_PAYMENT, { i: { ...valid(), ...change } }, expectation);
    more?.(r);
  });

  it('refunds never add up to more than the payment; a reused key with another amount is CONFLICT', async () => {
    const p = (
      await ok<{ takePayment: { id: string } }>(TAKE_PAYMENT, {
        i: { patientId: P, amount: usd('10.00'), idempotencyKey: key() },
      })
    ).takePayment.id;
    const k = key();
    await ok(REFUND_PAYMENT, {
      i: { ...valid(), paymentId: p, amount: usd('6.00'), idempotencyKey: k },
    });
    await refused(
      REFUND_PAYMENT,
      { i: { ...valid(), paymentId: p, amount: usd('4.01') } },
      { message: /At most 4\.00 USD/, field: 'amount' },
    );
    await refused(
      REFUND_PAYMENT,
      { i: { ...valid(), paymentId: p, amount: usd('5.00'), idempotencyKey: k } },
      { code: 'CONFLICT' },
    );
    const rest = await ok<{ refundPayment: { amount: { amount: string } } }>(REFUND_PAYMENT, {
      i: { ...valid(), paymentId: p, amount: usd('4.00') },
    });
    expect(rest.refundPayment.amount.amount).toBe('4.00');
  });
});

describe('adjustBalance', () => {
  const valid = () => ({
    patientId: P,
    kind: 'writeOff',
    amount: usd('5.00'),
    reason: 'Small balance',
    idempotencyKey: key(),
  });

  const CASES: Case[] = [
    [
      'a write-off of "-5.00" (a write-off is positive)',
      { amount: usd('-5.00'), reason: CANARY },
      { message: /more than zero/, field: 'amount' },
    ],
    ['a write-off of "0.00"', { amount: usd('0.00') }, { message: /more than zero/ }],
    [
      'a correction of "0.00"',
      { kind: 'correction', amount: usd('0.00') },
      { message: /must not be zero/, field: 'amount' },
    ],
    [
      'a correction of "-0.00"',
      { kind: 'correction', amount: usd('-0.00') },
      { message: /must not be zero/, field: 'amount' },
    ],
    ['"abc"', { amount: usd('abc') }, { message: /Not a decimal amount/, field: 'amount' }],
    [
      'a reason of 501 characters',
      { reason: CANARY.padEnd(501, '!') },
      {},
      validation('reason', 'isLength'),
    ],
    ['a blank reason', { reason: ' \t ' }, { message: /Give a reason/, field: 'reason' }],
    ['an unknown kind', { kind: 'discount' }, { message: /enum/ }],
    ['a claim id that is not a UUID', { claimId: 'claim-1' }, { field: 'claimId' }],
    [
      'a claim that is not the patient’s',
      { claimId: randomUUID(), reason: CANARY },
      { message: /claimId must name a claim of this patient/, field: 'claimId' },
    ],
    ['a patient id that is not a UUID', { patientId: '42' }, { field: 'patientId' }],
    [
      'an idempotency key too short',
      { idempotencyKey: 'abc' },
      {},
      validation('idempotencyKey', 'matches'),
    ],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, change, expectation, more) => {
    const r = await refused(ADJUST_BALANCE, { i: { ...valid(), ...change } }, expectation);
    more?.(r);
  });

  it('in another currency than the account (and the claim it names): BAD_USER_INPUT', async () => {
    await refused(
      ADJUST_BALANCE,
      { i: { ...valid(), claimId: submitted, amount: { amount: '5.00', currency: 'EUR' } } },
      { message: /Accounts are kept in USD/, field: 'amount' },
    );
  });
});

describe('issueStatement', () => {
  const valid = (patientId = P) => ({ patientId, idempotencyKey: key() });

  it.each([
    ['a due date in the past', { dueOn: '2020-01-01' }, /dueOn cannot be in the past/],
    [
      'yesterday as the due date',
      { dueOn: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10) },
      /past/,
    ],
    ['an impossible due date', { dueOn: '2026-02-30' }, /dueOn must be a date/],
    ['a due date that is not a date', { dueOn: 'next month' }, /dueOn must be a date/],
    ['a patient id that is not a UUID', { patientId: 'p' }, /patientId must be a UUID/],
  ] as const)('with %s: BAD_USER_INPUT', async (_what, change, message) => {
    await refused(ISSUE_STATEMENT, { i: { ...valid(), ...change } }, { message });
  });

  it('with an idempotency key too short: BAD_USER_INPUT', async () => {
    const r = await refused(ISSUE_STATEMENT, { i: { ...valid(), idempotencyKey: 'short' } });
    validation('idempotencyKey', 'matches')(r);
  });

  it('a second statement with nothing new to state: BAD_USER_INPUT', async () => {
    const fresh = await newPatient(t, 'badinput-statement');
    await ok(TAKE_PAYMENT, { i: { patientId: fresh, amount: usd('3.00'), idempotencyKey: key() } });
    const dueOn = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    const first = await ok<{ issueStatement: { sequence: number; dueOn: string } }>(
      ISSUE_STATEMENT,
      { i: { ...valid(fresh), dueOn } },
    );
    expect(first.issueStatement).toEqual({ id: expect.any(String), sequence: 1, dueOn });
    await refused(ISSUE_STATEMENT, { i: valid(fresh) }, { message: /Nothing to state/ });
  });
});

describe('paged queries', () => {
  const CLAIMS = /* GraphQL */ `
    query ($first: Int, $after: String, $p: ID, $s: [ClaimStatus!]) {
      claims(first: $first, after: $after, patientId: $p, status: $s) {
        edges {
          node {
            id
          }
        }
      }
    }
  `;
  const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  it.each([
    ['first: 0', { first: 0 }, /first must be between 1 and 100/],
    ['first: 101', { first: 101 }, /first must be between 1 and 100/],
    ['first: -1', { first: -1 }, /first must be between 1 and 100/],
    ['a malformed after cursor', { after: 'not-a-cursor' }, /after is not a valid cursor/],
    ['a cursor of the wrong shape', { after: cursor(['x']) }, /after is not a valid cursor/],
    ['a cursor with no date', { after: cursor(['yesterday', randomUUID()]) }, /after/],
    ['a cursor with SQL', { after: cursor([new Date().toISOString(), "' OR 1=1 --"]) }, /after/],
    ['a patient id that is not a UUID', { p: 'nope' }, /patientId must be a UUID/],
    ['an unknown status', { s: ['approved'] }, /enum/],
  ])('claims with %s: BAD_USER_INPUT', async (_what, vars, message) => {
    await refused(CLAIMS, vars, { message });
  });

  it.each([
    ['first: 0', { first: 0 }],
    ['first: 101', { first: 101 }],
    ['a malformed after cursor', { after: '%%%' }],
  ])('Patient.statements with %s: BAD_USER_INPUT', async (_what, vars) => {
    await refused(
      `query ($id: ID!, $first: Int, $after: String) { patient(id: $id) { id statements(first: $first, after: $after) { edges { node { id } } } } }`,
      { id: P, ...vars },
    );
  });

  /** A paged field of a readable patient refused on its argument: that field only, nothing written. */
  async function refusedPage(query: string, variables: object, field: string) {
    const before = await counts();
    const r = await t.gql(billing, query, variables);
    answers.push(JSON.stringify(r));
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', field],
    ]);
    expect(await counts()).toEqual(before);
    return r;
  }

  it.each([
    ['first: 0', { first: 0 }, 'first'],
    ['first: 101', { first: 101 }, 'first'],
    ['a malformed after cursor', { after: '%%%' }, 'after'],
    ['a cursor of the wrong shape', { after: cursor(['x']) }, 'after'],
    ['a claims cursor', { after: cursor([new Date().toISOString(), randomUUID()]) }, 'after'],
    [
      'a cursor with SQL',
      { after: cursor(['payment', '2026-03-01T10:00:00.000000Z', "' OR 1=1 --"]) },
      'after',
    ],
  ])('Patient.payments with %s: BAD_USER_INPUT, the field null', async (_what, vars, field) => {
    const r = await refusedPage(
      `query ($id: ID!, $first: Int, $after: String) { patient(id: $id) { id payments(first: $first, after: $after) { edges { node { id } } } } }`,
      { id: P, ...vars },
      field,
    );
    expect(r.data).toEqual({ patient: { id: P, payments: null } });
    expect(r.errors![0]!.path).toEqual(['patient', 'payments']);
  });

  describe('Statement.lines', () => {
    /** A cursor of P's payments: a cursor, but of another list. */
    let paymentCursor: string;
    beforeAll(async () => {
      await ok(ISSUE_STATEMENT, { i: { patientId: P, idempotencyKey: key() } });
      const page = await ok<{ patient: { payments: { pageInfo: { endCursor: string } } } }>(
        `query ($id: ID!) { patient(id: $id) { payments(first: 1) { pageInfo { endCursor } } } }`,
        { id: P },
      );
      paymentCursor = page.patient.payments.pageInfo.endCursor;
    });

    it.each([
      ['first: 0', () => ({ first: 0 }), 'first'],
      ['first: 101', () => ({ first: 101 }), 'first'],
      ['a malformed after cursor', () => ({ after: '%%%' }), 'after'],
      ['a payments cursor', () => ({ after: paymentCursor }), 'after'],
      [
        'an impossible date',
        () => ({ after: cursor(['statement-line', '2026-02-30T00:00:00.000000Z', randomUUID()]) }),
        'after',
      ],
    ])('with %s: BAD_USER_INPUT', async (_what, vars, field) => {
      await refusedPage(
        `query ($id: ID!, $first: Int, $after: String) { patient(id: $id) { id statements(first: 1) { edges { node { id lines(first: $first, after: $after) { edges { node { entryId } } } } } } } }`,
        { id: P, ...vars() },
        field,
      );
    });
  });

  it.each([
    ['coverage(id) with an id that is not a UUID', '{ coverage(id: "nope") { id } }'],
    ['claim(id) with SQL as the id', `{ claim(id: "1' OR '1'='1") { id } }`],
    ['feeSchedule with no codes', '{ feeSchedule(codes: []) { code } }'],
    ['feeSchedule with a lower-case code', '{ feeSchedule(codes: ["g0463"]) { code } }'],
  ])('%s: BAD_USER_INPUT', async (_what, query) => {
    await refused(query, {});
  });
});

describe('a canary in free-text fields', () => {
  it('is stored encrypted as a member id, and appears in no error message and no log line', async () => {
    const r = await t.gql<{ recordCoverage: { id: string; memberId: string } }>(
      billing,
      RECORD_COVERAGE,
      {
        i: {
          patientId: P,
          planId: PLANS.aetna,
          memberId: CANARY,
          relationship: 'child',
          periodStart: '2032-01-01',
          priority: 7,
          idempotencyKey: key(),
        },
      },
    );
    expect(r.errors).toBeUndefined();
    // Its own data answer may show it; the row holds only ciphertext.
    expect(r.data!.recordCoverage.memberId).toBe(CANARY);
    const [row] = await t.sql<{ member_id: string }>(
      'SELECT member_id FROM billing.coverage WHERE id = $1',
      [r.data!.recordCoverage.id],
    );
    expect(row!.member_id).not.toContain(CANARY);

    // Every error answer of this file, many of them carrying the canary in.
    expect(answers.length).toBeGreaterThan(80);
    expect(answers.filter((a) => a.includes(CANARY))).toEqual([]);
    expect(t.logs().length).toBeGreaterThan(0);
    expect(t.logs()).not.toContain(CANARY);
  });
});
