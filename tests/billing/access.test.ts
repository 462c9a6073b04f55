import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PAYER_APPS,
  PAYERS,
  PLANS,
  coverageFor,
  key,
  newPatient,
  payerToken,
  visit,
  waitForCharges,
} from '../support/billing.js';
import { accessMatrix, outcome, type MatrixOperation } from '../support/access-matrix.js';
import { textPartnerClients } from '../support/clients.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Every query and mutation of the billing subgraph under every kind of
 * caller, through the gateway, against subgraphs/billing/permissions.ts and
 * access.ts: who gets data and who FORBIDDEN, that a refused write leaves
 * every billing table as it was and an allowed one writes what it should,
 * that permits and denials are audited, that a missing record looks like a
 * forbidden one, and that a patient's consent reaches billing by event.
 */
let t: TestStack;
let billing: string;
let admin: string;
/** The patient asked about: a fresh account, the demo practitioner on their care team. */
let P: string;
/** Another patient. */
let Q: string;
/** P's coverages: UnitedHealthcare primary, Aetna secondary. */
let covUnited: string;
let covAetna: string;
/** A completed visit of P, its one charge, and the claim of it to United (submitted). */
let appt: string;
let chargeId: string;
let claimId: string;
/** A payment of 10.00 by P, taken by billing staff. */
let paymentId: string;

const NO_ACCESS = 'Not permitted to access this billing record, or it does not exist';
const PARTNER_SCOPES = [
  'patient/Patient.rs',
  'patient/Appointment.rs',
  'patient/Account.crs',
  'patient/Coverage.rs',
  'patient/ChargeItem.rs',
];

type Actor =
  | 'patient'
  | 'otherPatient'
  | 'partner'
  | 'payerUnited'
  | 'payerAetna'
  | 'clinician'
  | 'scheduler'
  | 'pharmacist'
  | 'billing'
  | 'admin'
  | 'auditor'
  | 'researcher';

const ACTORS: Actor[] = [
  'patient',
  'otherPatient',
  'partner',
  'payerUnited',
  'payerAetna',
  'clinician',
  'scheduler',
  'pharmacist',
  'billing',
  'admin',
  'auditor',
  'researcher',
];

const tokens = new Map<Actor, string>();
const tokenOf = (a: Actor): string => tokens.get(a)!;

const ADD_CARE_TEAM = /* GraphQL */ `
  mutation ($p: ID!, $pr: ID!) {
    addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary") {
      practitionerId
    }
  }
`;

const CREATE_CLAIM = /* GraphQL */ `
  mutation ($i: CreateClaimInput!) {
    createClaim(input: $i) {
      id
      status
      version
      total {
        amount
      }
    }
  }
`;
const SUBMIT_CLAIM = /* GraphQL */ `
  mutation ($id: ID!) {
    submitClaim(id: $id) {
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
      allowed {
        amount
      }
      paid {
        amount
      }
      patientResponsibility {
        amount
      }
    }
  }
`;
const CLOSE_CLAIM = /* GraphQL */ `
  mutation ($id: ID!) {
    closeClaim(id: $id) {
      id
      status
      version
    }
  }
`;
const RECORD_COVERAGE = /* GraphQL */ `
  mutation ($i: RecordCoverageInput!) {
    recordCoverage(input: $i) {
      id
      status
      priority
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
const TAKE_PAYMENT = /* GraphQL */ `
  mutation ($i: TakePaymentInput!) {
    takePayment(input: $i) {
      id
      amount {
        amount
        currency
      }
      replayed
    }
  }
`;
const REFUND_PAYMENT = /* GraphQL */ `
  mutation ($i: RefundPaymentInput!) {
    refundPayment(input: $i) {
      id
      paymentId
      amount {
        amount
      }
    }
  }
`;
const ADJUST_BALANCE = /* GraphQL */ `
  mutation ($i: AdjustBalanceInput!) {
    adjustBalance(input: $i) {
      id
      kind
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
      openingBalance {
        amountMinor
      }
      closingBalance {
        amountMinor
      }
      lineCount
    }
  }
`;

const usd = (amount: string) => ({ amount, currency: 'USD' });

/** Runs a billing-staff request that must succeed, and returns its data. */
async function asBilling<T>(query: string, variables: object): Promise<T> {
  const r = await t.gql<T>(billing, query, variables);
  expect(r.errors).toBeUndefined();
  return r.data!;
}

/** A completed visit of P whose charge has arrived in billing. */
async function chargedVisit(): Promise<string> {
  const a = await visit(t, P);
  await waitForCharges(t, a);
  return a;
}

async function claimStatus(id: string): Promise<string | undefined> {
  const [row] = await t.sql<{ status: string }>('SELECT status FROM billing.claim WHERE id = $1', [
    id,
  ]);
  return row?.status;
}

// Fixtures the mutation cells act on. A refused cell leaves them as they were, so the next
// cell reuses them; once an allowed cell has used one up, the next call makes a new one.
let spareVisit: string | undefined;
async function unclaimedVisit(): Promise<string> {
  if (spareVisit) {
    const claimed = await t.sql('SELECT 1 FROM billing.claim WHERE appointment_id = $1', [
      spareVisit,
    ]);
    if (!claimed.length) return spareVisit;
  }
  spareVisit = await chargedVisit();
  return spareVisit;
}

async function newClaim(): Promise<string> {
  const d = await asBilling<{ createClaim: { id: string } }>(CREATE_CLAIM, {
    i: { appointmentId: await unclaimedVisit(), coverageId: covUnited, idempotencyKey: key() },
  });
  return d.createClaim.id;
}

const PARTLY_PAID = {
  outcome: 'partiallyPaid',
  allowed: usd('120.00'),
  paid: usd('96.00'),
};

const spareClaims = new Map<string, string>();
/** A claim of P to United in `status` (draft, submitted or partially-paid). */
async function claimIn(status: 'draft' | 'submitted' | 'partially-paid'): Promise<string> {
  const cached = spareClaims.get(status);
  if (cached && (await claimStatus(cached)) === status) return cached;
  const id = await newClaim();
  if (status !== 'draft') await asBilling(SUBMIT_CLAIM, { id });
  if (status === 'partially-paid')
    await asBilling(ADJUDICATE_CLAIM, { id, i: { ...PARTLY_PAID, idempotencyKey: key() } });
  expect(await claimStatus(id)).toBe(status);
  spareClaims.set(status, id);
  return id;
}

let coverageYear = 2040;
/** An active coverage of P (priority 6, a year of its own, so none overlap), recorded by billing. */
async function spareCoverage(): Promise<string> {
  const year = coverageYear++;
  const d = await asBilling<{ recordCoverage: { id: string } }>(RECORD_COVERAGE, {
    i: {
      patientId: P,
      planId: PLANS.united,
      memberId: `MBR-${randomBytes(4).toString('hex')}`,
      relationship: 'self',
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
      priority: 6,
      idempotencyKey: key(),
    },
  });
  return d.recordCoverage.id;
}

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
type Table = (typeof TABLES)[number];

async function counts(): Promise<Record<Table, number>> {
  const [row] = await t.sql<Record<Table, string>>(
    `SELECT ${TABLES.map((x) => `(SELECT count(*) FROM billing.${x}) AS ${x}`).join(', ')}`,
  );
  return Object.fromEntries(TABLES.map((x) => [x, Number(row![x])])) as Record<Table, number>;
}

/** What changed between two counts (tables that did not change left out). */
function delta(
  before: Record<Table, number>,
  after: Record<Table, number>,
): Partial<Record<Table, number>> {
  return Object.fromEntries(
    TABLES.filter((x) => after[x] !== before[x]).map((x) => [x, after[x] - before[x]]),
  );
}

/** P's balance in minor units, summed in SQL from the ledger. */
async function ledgerSum(patientId = P): Promise<bigint> {
  const [row] = await t.sql<{ s: string }>(
    'SELECT coalesce(sum(amount_minor), 0)::text AS s FROM billing.ledger_entry WHERE account_patient_id = $1',
    [patientId],
  );
  return BigInt(row!.s);
}

const minorToAmount = (minor: bigint): string => {
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

beforeAll(async () => {
  t = await startTestStack(
    'billing-access',
    textPartnerClients(['partner-demo-app', PAYER_APPS.united, PAYER_APPS.aetna]),
  );
  billing = await t.token('billing');
  admin = await t.token('admin');
  P = (await newPatient(t, 'access')).toLowerCase();
  Q = (await newPatient(t, 'other')).toLowerCase();
  const team = await t.gql(admin, ADD_CARE_TEAM, { p: P, pr: t.demo.practitionerId });
  expect(team.errors).toBeUndefined();

  covUnited = await coverageFor(t, P, 'united', 1);
  covAetna = await coverageFor(t, P, 'aetna', 2);
  appt = await chargedVisit();
  chargeId = (await waitForCharges(t, appt))[0]!.id;
  const created = await asBilling<{ createClaim: { id: string } }>(CREATE_CLAIM, {
    i: { appointmentId: appt, coverageId: covUnited, idempotencyKey: key() },
  });
  claimId = created.createClaim.id;
  await asBilling(SUBMIT_CLAIM, { id: claimId });
  const paid = await asBilling<{ takePayment: { id: string } }>(TAKE_PAYMENT, {
    i: { patientId: P, amount: usd('10.00'), idempotencyKey: key() },
  });
  paymentId = paid.takePayment.id;
  await asBilling(ISSUE_STATEMENT, { i: { patientId: P, idempotencyKey: key() } });

  const patientToken = (id: string) => t.token('patient', { patientId: id, sub: `patient-${id}` });
  tokens.set('patient', await patientToken(P));
  tokens.set('otherPatient', await patientToken(Q));
  tokens.set(
    'partner',
    await t.token('partner', { patientId: P, sub: 'partner-for-p', scopes: PARTNER_SCOPES }),
  );
  tokens.set('payerUnited', await payerToken(t, 'united'));
  tokens.set('payerAetna', await payerToken(t, 'aetna'));
  tokens.set('clinician', await t.token('clinician', { practitionerId: t.demo.practitionerId }));
  for (const role of [
    'scheduler',
    'pharmacist',
    'billing',
    'admin',
    'auditor',
    'researcher',
  ] as const)
    tokens.set(role, await t.token(role));
}, 120_000);
afterAll(() => t?.stop());

type Operation = MatrixOperation<Actor>;

/** Reference data (no PHI): every caller but a researcher, who reaches open data only. */
const EVERYONE = ACTORS.filter((a) => a !== 'researcher');
const ACCOUNT_HOLDERS: Actor[] = ['patient', 'partner', 'billing', 'admin'];

/** A billing field of P read through the patient subgraph's `patient(id)`. */
function patientField(
  field: string,
  selection: string,
  check: (value: unknown) => Promise<void> | void,
): Operation {
  return {
    name: `Patient.${field}`,
    allowed: ACCOUNT_HOLDERS,
    run: async (tok) => {
      const r = await t.gql<{ patient: Record<string, unknown> | null }>(
        tok,
        `query ($id: ID!) { patient(id: $id) { id ${selection} } }`,
        { id: P },
      );
      const value = r.data?.patient?.[field];
      const o = outcome(r, value);
      if (o.ok) await check(value);
      return o;
    },
  };
}

const QUERIES: Operation[] = [
  {
    name: 'coverage(id)',
    allowed: ['patient', 'partner', 'payerUnited', 'billing', 'admin'],
    run: async (tok) => {
      const r = await t.gql<{ coverage: Record<string, unknown> }>(
        tok,
        `query ($id: ID!) { coverage(id: $id) { id memberId priority status payer { id } plan { id } } }`,
        { id: covUnited },
      );
      const o = outcome(r, r.data?.coverage);
      if (o.ok)
        expect(r.data!.coverage).toEqual({
          id: covUnited,
          memberId: expect.stringMatching(/^MBR-[0-9a-f]{8}$/),
          priority: 1,
          status: 'active',
          payer: { id: PAYERS.united },
          plan: { id: PLANS.united },
        });
      return o;
    },
  },
  {
    name: 'claim(id)',
    allowed: ['payerUnited', 'billing', 'admin'],
    run: async (tok) => {
      const r = await t.gql<{ claim: Record<string, unknown> }>(
        tok,
        /* GraphQL */ `
          query ($id: ID!) {
            claim(id: $id) {
              id
              status
              total {
                amount
                currency
              }
              payer {
                id
              }
              charges {
                id
                code
              }
              coverage {
                id
                memberId
              }
            }
          }
        `,
        { id: claimId },
      );
      const o = outcome(r, r.data?.claim);
      if (o.ok)
        expect(r.data!.claim).toEqual({
          id: claimId,
          status: 'submitted',
          total: { amount: '136.02', currency: 'USD' },
          payer: { id: PAYERS.united },
          charges: [{ id: chargeId, code: 'G0463' }],
          coverage: { id: covUnited, memberId: expect.stringMatching(/^MBR-/) },
        });
      return o;
    },
  },
  {
    name: 'claims',
    allowed: ['payerUnited', 'payerAetna', 'billing', 'admin'],
    run: async (tok, actor) => {
      const r = await t.gql<{
        claims: { edges: { node: { id: string; payer: { id: string } } }[] };
      }>(tok, '{ claims(first: 100) { edges { node { id payer { id } } } } }');
      const o = outcome(r, r.data?.claims);
      if (o.ok) {
        const nodes = r.data!.claims.edges.map((e) => e.node);
        const ids = nodes.map((n) => n.id);
        if (actor === 'payerAetna') {
          // Its own queue: none of United's claims (this file makes none to Aetna).
          expect(ids).not.toContain(claimId);
          expect(nodes.every((n) => n.payer.id === PAYERS.aetna)).toBe(true);
        } else {
          expect(ids).toContain(claimId);
          if (actor === 'payerUnited')
            expect(nodes.every((n) => n.payer.id === PAYERS.united)).toBe(true);
        }
      }
      return o;
    },
  },
  patientField('coverages', 'coverages { id priority payer { id } }', (value) => {
    const list = value as { id: string; priority: number }[];
    expect(list.slice(0, 2)).toEqual([
      { id: covUnited, priority: 1, payer: { id: PAYERS.united } },
      { id: covAetna, priority: 2, payer: { id: PAYERS.aetna } },
    ]);
  }),
  patientField('balance', 'balance { amount amountMinor currency }', async (value) => {
    const sum = await ledgerSum();
    expect(value).toEqual({
      amount: minorToAmount(sum),
      amountMinor: sum.toString(),
      currency: 'USD',
    });
  }),
  patientField(
    'payments',
    'payments(first: 100) { edges { node { id amount { amount currency } refunded { amount } } } }',
    async (value) => {
      const list = (
        value as { edges: { node: { id: string; amount: { amount: string } } }[] }
      ).edges.map((e) => e.node);
      const rows = await t.sql<{ id: string }>(
        'SELECT id FROM billing.payment WHERE patient_id = $1 ORDER BY created_at DESC, id',
        [P],
      );
      expect(new Set(list.map((p) => p.id))).toEqual(new Set(rows.map((r) => r.id)));
      expect(list.find((p) => p.id === paymentId)?.amount).toEqual({
        amount: '10.00',
        currency: 'USD',
      });
    },
  ),
  patientField(
    'statements',
    'statements(first: 100) { edges { node { id sequence } } }',
    async (value) => {
      const edges = (value as { edges: { node: { id: string; sequence: number } }[] }).edges;
      const rows = await t.sql<{ id: string; sequence: number }>(
        'SELECT id, sequence FROM billing.statement WHERE patient_id = $1 ORDER BY sequence DESC',
        [P],
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(edges.map((e) => e.node)).toEqual(rows);
    },
  ),
  {
    name: 'Appointment.charges',
    allowed: ACCOUNT_HOLDERS,
    run: async (tok) => {
      const r = await t.gql<{ appointment: { charges: unknown[] } | null }>(
        tok,
        `query ($id: ID!) { appointment(id: $id) { id charges { id code kind amount { amount } } } }`,
        { id: appt },
      );
      const o = outcome(r, r.data?.appointment?.charges);
      if (o.ok)
        expect(r.data!.appointment!.charges).toEqual([
          { id: chargeId, code: 'G0463', kind: 'service', amount: { amount: '136.02' } },
        ]);
      return o;
    },
  },
  {
    name: 'payers',
    allowed: EVERYONE,
    run: async (tok) => {
      const r = await t.gql<{ payers: { id: string }[] }>(tok, '{ payers { id name ownership } }');
      const o = outcome(r, r.data?.payers);
      if (o.ok)
        expect(r.data!.payers.map((p) => p.id)).toEqual(
          expect.arrayContaining([PAYERS.united, PAYERS.aetna]),
        );
      return o;
    },
  },
  {
    name: 'plans',
    allowed: EVERYONE,
    run: async (tok) => {
      const r = await t.gql<{ plans: { id: string; payer: { id: string } }[] }>(
        tok,
        `query ($p: ID) { plans(payerId: $p) { id name payer { id } } }`,
        { p: PAYERS.united },
      );
      const o = outcome(r, r.data?.plans);
      if (o.ok) {
        expect(r.data!.plans.map((p) => p.id)).toContain(PLANS.united);
        expect(r.data!.plans.every((p) => p.payer.id === PAYERS.united)).toBe(true);
      }
      return o;
    },
  },
  {
    name: 'feeSchedule',
    allowed: EVERYONE,
    run: async (tok) => {
      const r = await t.gql<{ feeSchedule: unknown[] }>(
        tok,
        '{ feeSchedule(codes: ["G0463"]) { code rate { amount currency } } }',
      );
      const o = outcome(r, r.data?.feeSchedule);
      if (o.ok)
        expect(r.data!.feeSchedule).toEqual([
          { code: 'G0463', rate: { amount: '136.02', currency: 'USD' } },
        ]);
      return o;
    },
  },
];

/**
 * A mutation cell: `prepare` makes its target (as billing staff), then the
 * counts of every billing table are taken around the call; refused, nothing
 * may change; allowed, exactly `wrote` must, and `check` looks at the rows.
 */
function mutation<T>(
  name: string,
  allowed: Actor[],
  prepare: () => Promise<T> | T,
  call: (token: string, target: T) => Promise<GqlResponse<Record<string, unknown>>>,
  wrote: (target: T) => Promise<Partial<Record<Table, number>>> | Partial<Record<Table, number>>,
  check: (target: T, ok: boolean, data: Record<string, unknown> | undefined) => Promise<void>,
): Operation {
  return {
    name,
    allowed,
    run: async (tok) => {
      const target = await prepare();
      const expectedIfAllowed = await wrote(target);
      const before = await counts();
      const r = await call(tok, target);
      const o = outcome(r, r.data?.[name]);
      expect(delta(before, await counts())).toEqual(o.ok ? expectedIfAllowed : {});
      await check(target, o.ok, (r.data?.[name] ?? undefined) as Record<string, unknown>);
      return o;
    },
  };
}

async function entriesCausedBy(causeId: string) {
  return t.sql<{ kind: string; amount_minor: string }>(
    `SELECT kind, amount_minor::text AS amount_minor FROM billing.ledger_entry
      WHERE cause_id = $1 ORDER BY kind`,
    [causeId],
  );
}

const MUTATIONS: Operation[] = [
  mutation(
    'recordCoverage',
    ['billing'],
    () => ({ year: coverageYear++, memberId: `MBR-${randomBytes(4).toString('hex')}` }),
    (tok, { year, memberId }) =>
      t.gql(tok, RECORD_COVERAGE, {
        i: {
          patientId: P,
          planId: PLANS.aetna,
          memberId,
          relationship: 'spouse',
          periodStart: `${year}-01-01`,
          periodEnd: `${year}-12-31`,
          priority: 5,
          idempotencyKey: key(),
        },
      }),
    () => ({ coverage: 1, idempotency_key: 1 }),
    async ({ year, memberId }, ok, data) => {
      const rows = await t.sql<Record<string, unknown>>(
        `SELECT id, patient_id, payer_id, plan_id, member_id, relationship, priority, status,
           to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end
         FROM billing.coverage WHERE patient_id = $1 AND period_start = $2::date AND priority = 5`,
        [P, `${year}-01-01`],
      );
      if (!ok) return expect(rows).toEqual([]);
      expect(data).toMatchObject({ status: 'active', priority: 5, memberId });
      expect(rows).toEqual([
        {
          id: data!.id,
          patient_id: P,
          payer_id: PAYERS.aetna,
          plan_id: PLANS.aetna,
          member_id: expect.any(String),
          relationship: 'spouse',
          priority: 5,
          status: 'active',
          period_start: `${year}-01-01`,
          period_end: `${year}-12-31`,
        },
      ]);
      // Stored encrypted: the member id is not in the row.
      expect(rows[0]!.member_id).not.toContain(memberId);
    },
  ),
  mutation(
    'cancelCoverage',
    ['billing'],
    spareCoverage,
    (tok, id) => t.gql(tok, CANCEL_COVERAGE, { id, v: 1 }),
    () => ({}),
    async (id, ok, data) => {
      const [row] = await t.sql('SELECT status, version FROM billing.coverage WHERE id = $1', [id]);
      expect(row).toEqual(
        ok ? { status: 'cancelled', version: 2 } : { status: 'active', version: 1 },
      );
      if (ok) expect(data).toEqual({ id, status: 'cancelled', version: 2 });
    },
  ),
  mutation(
    'createClaim',
    ['billing'],
    unclaimedVisit,
    (tok, appointmentId) =>
      t.gql(tok, CREATE_CLAIM, {
        i: { appointmentId, coverageId: covUnited, idempotencyKey: key() },
      }),
    () => ({ claim: 1, claim_charge: 1, claim_version: 1, idempotency_key: 1 }),
    async (appointmentId, ok, data) => {
      const rows = await t.sql(
        `SELECT id, patient_id, coverage_id, payer_id, status, total_minor::text AS total, created_by
           FROM billing.claim WHERE appointment_id = $1`,
        [appointmentId],
      );
      if (!ok) return expect(rows).toEqual([]);
      expect(data).toEqual({
        id: expect.any(String),
        status: 'draft',
        version: 1,
        total: { amount: '136.02' },
      });
      expect(rows).toEqual([
        {
          id: data!.id,
          patient_id: P,
          coverage_id: covUnited,
          payer_id: PAYERS.united,
          status: 'draft',
          total: '13602',
          created_by: 'dev-billing',
        },
      ]);
    },
  ),
  mutation(
    'submitClaim',
    ['billing'],
    () => claimIn('draft'),
    (tok, id) => t.gql(tok, SUBMIT_CLAIM, { id }),
    () => ({ claim_version: 1 }),
    async (id, ok, data) => {
      const [row] = await t.sql(
        'SELECT status, version, submitted_at IS NOT NULL AS submitted FROM billing.claim WHERE id = $1',
        [id],
      );
      expect(row).toEqual(
        ok
          ? { status: 'submitted', version: 2, submitted: true }
          : { status: 'draft', version: 1, submitted: false },
      );
      if (ok) expect(data).toEqual({ id, status: 'submitted', version: 2 });
    },
  ),
  mutation(
    'adjudicateClaim',
    ['payerUnited', 'billing'],
    () => claimIn('submitted'),
    (tok, id) => t.gql(tok, ADJUDICATE_CLAIM, { id, i: { ...PARTLY_PAID, idempotencyKey: key() } }),
    () => ({ claim_version: 1, ledger_entry: 2, idempotency_key: 1 }),
    async (id, ok, data) => {
      const [row] = await t.sql(
        `SELECT status, version, allowed_minor::text AS allowed, paid_minor::text AS paid
           FROM billing.claim WHERE id = $1`,
        [id],
      );
      const entries = await entriesCausedBy(id);
      if (!ok) {
        expect(row).toEqual({ status: 'submitted', version: 2, allowed: null, paid: null });
        return expect(entries).toEqual([]);
      }
      expect(row).toEqual({ status: 'partially-paid', version: 3, allowed: '12000', paid: '9600' });
      // The payer's payment and the contractual write-off of 136.02 − 120.00.
      expect(entries).toEqual([
        { kind: 'adjustment-writeoff', amount_minor: '-1602' },
        { kind: 'insurance-payment', amount_minor: '-9600' },
      ]);
      expect(data).toEqual({
        id,
        status: 'partiallyPaid',
        version: 3,
        allowed: { amount: '120.00' },
        paid: { amount: '96.00' },
        patientResponsibility: { amount: '24.00' },
      });
    },
  ),
  mutation(
    'closeClaim',
    ['billing'],
    () => claimIn('partially-paid'),
    (tok, id) => t.gql(tok, CLOSE_CLAIM, { id }),
    () => ({ claim_version: 1 }),
    async (id, ok, data) => {
      const [row] = await t.sql(
        'SELECT status, version, closed_at IS NOT NULL AS closed FROM billing.claim WHERE id = $1',
        [id],
      );
      expect(row).toEqual(
        ok
          ? { status: 'closed', version: 4, closed: true }
          : { status: 'partially-paid', version: 3, closed: false },
      );
      if (ok) expect(data).toEqual({ id, status: 'closed', version: 4 });
    },
  ),
  // Issue 11 #2: a patient or an app pays through a payment intent, never takePayment.
  mutation(
    'takePayment',
    ['billing'],
    () => key(),
    (tok, k) =>
      t.gql(tok, TAKE_PAYMENT, { i: { patientId: P, amount: usd('5.00'), idempotencyKey: k } }),
    () => ({ payment: 1, ledger_entry: 1, idempotency_key: 1 }),
    async (k, ok, data) => {
      const rows = await t.sql(
        `SELECT id, patient_id, source, amount_minor::text AS amount, currency
           FROM billing.payment WHERE idempotency_key = $1`,
        [k],
      );
      if (!ok) return expect(rows).toEqual([]);
      expect(data).toEqual({
        id: expect.any(String),
        amount: { amount: '5.00', currency: 'USD' },
        replayed: false,
      });
      expect(rows).toEqual([
        { id: data!.id, patient_id: P, source: 'patient', amount: '500', currency: 'USD' },
      ]);
      expect(await entriesCausedBy(data!.id as string)).toEqual([
        { kind: 'payment', amount_minor: '-500' },
      ]);
    },
  ),
  mutation(
    'refundPayment',
    ['billing'],
    () => paymentId,
    (tok, id) =>
      t.gql(tok, REFUND_PAYMENT, {
        i: { paymentId: id, amount: usd('1.00'), reason: 'Overpaid copay', idempotencyKey: key() },
      }),
    () => ({ refund: 1, ledger_entry: 1, idempotency_key: 1 }),
    async (id, ok, data) => {
      if (!ok) return;
      expect(data).toEqual({ id: expect.any(String), paymentId: id, amount: { amount: '1.00' } });
      const rows = await t.sql(
        `SELECT payment_id, patient_id, amount_minor::text AS amount, reason FROM billing.refund WHERE id = $1`,
        [data!.id],
      );
      expect(rows).toEqual([
        { payment_id: id, patient_id: P, amount: '100', reason: 'Overpaid copay' },
      ]);
      expect((await entriesCausedBy(id)).filter((e) => e.kind === 'refund')).toEqual([
        { kind: 'refund', amount_minor: '100' },
      ]);
    },
  ),
  mutation(
    'adjustBalance',
    ['billing'],
    () => `Small balance ${randomBytes(3).toString('hex')}`,
    (tok, reason) =>
      t.gql(tok, ADJUST_BALANCE, {
        i: { patientId: P, kind: 'writeOff', amount: usd('1.00'), reason, idempotencyKey: key() },
      }),
    () => ({ adjustment: 1, ledger_entry: 1, idempotency_key: 1 }),
    async (reason, ok, data) => {
      const rows = await t.sql(
        `SELECT a.id, a.patient_id, a.kind, a.amount_minor::text AS amount, e.kind AS entry_kind,
           e.amount_minor::text AS entry_amount
         FROM billing.adjustment a JOIN billing.ledger_entry e ON e.id = a.ledger_entry_id
         WHERE a.reason = $1`,
        [reason],
      );
      if (!ok) return expect(rows).toEqual([]);
      expect(data).toEqual({
        id: expect.any(String),
        kind: 'writeOff',
        amount: { amount: '-1.00' },
      });
      expect(rows).toEqual([
        {
          id: data!.id,
          patient_id: P,
          kind: 'write-off',
          amount: '-100',
          entry_kind: 'adjustment-writeoff',
          entry_amount: '-100',
        },
      ]);
    },
  ),
  mutation(
    'issueStatement',
    ['billing'],
    async () => {
      const unstated = async () =>
        Number(
          (
            await t.sql<{ n: string }>(
              `SELECT count(*) AS n FROM billing.ledger_entry e WHERE account_patient_id = $1
                AND NOT EXISTS (SELECT 1 FROM billing.statement_line l WHERE l.entry_id = e.id)`,
              [P],
            )
          )[0]!.n,
        );
      // Only the first statement may be empty: make sure there is something to state.
      if ((await unstated()) === 0)
        await asBilling(TAKE_PAYMENT, {
          i: { patientId: P, amount: usd('1.00'), idempotencyKey: key() },
        });
      const [prev] = await t.sql<{ sequence: number }>(
        'SELECT max(sequence) AS sequence FROM billing.statement WHERE patient_id = $1',
        [P],
      );
      return { lines: await unstated(), sequence: prev!.sequence };
    },
    (tok) => t.gql(tok, ISSUE_STATEMENT, { i: { patientId: P, idempotencyKey: key() } }),
    ({ lines }) => ({ statement: 1, statement_line: lines, idempotency_key: 1 }),
    async ({ lines, sequence }, ok, data) => {
      const [last] = await t.sql<{ sequence: number }>(
        'SELECT max(sequence) AS sequence FROM billing.statement WHERE patient_id = $1',
        [P],
      );
      expect(last!.sequence).toBe(ok ? sequence + 1 : sequence);
      if (!ok) return;
      // The closing balance is the whole ledger of the account: nothing skipped, nothing twice.
      expect(data).toEqual({
        id: expect.any(String),
        sequence: sequence + 1,
        openingBalance: { amountMinor: expect.any(String) },
        closingBalance: { amountMinor: (await ledgerSum()).toString() },
        lineCount: lines,
      });
    },
  ),
];

accessMatrix(
  'billing access matrix (through the gateway)',
  ACTORS,
  [...QUERIES, ...MUTATIONS],
  tokenOf,
);

interface AuditPayload {
  actor: { sub: string };
  patientId?: string;
  resourceType: string;
  resourceId?: string;
  action: string;
  outcome: 'permit' | 'deny' | 'error';
  reason?: string;
}

/** The audit entries written for one request (the gateway's x-request-id). */
async function auditOf(r: GqlResponse<unknown>): Promise<(AuditPayload & { column: string })[]> {
  const requestId = r.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  const rows = await t.sql<{ payload: string; patient_id: string | null }>(
    `SELECT payload, patient_id FROM audit.entry WHERE payload::jsonb ->> 'requestId' = $1 ORDER BY seq`,
    [requestId],
  );
  return rows.map((row) => ({
    ...(JSON.parse(row.payload) as AuditPayload),
    column: row.patient_id ?? '',
  }));
}

const billingAudit = (entries: AuditPayload[]) =>
  entries.filter((e) => ['Coverage', 'Claim', 'Account', 'ChargeItem'].includes(e.resourceType));

describe('audit of billing reads', () => {
  const COVERAGE = `query ($id: ID!) { coverage(id: $id) { id } }`;
  const CLAIM = `query ($id: ID!) { claim(id: $id) { id } }`;

  it('a permitted coverage read is audited as a permit of that Coverage', async () => {
    const r = await t.gql(billing, COVERAGE, { id: covUnited });
    expect(r.errors).toBeUndefined();
    expect(billingAudit(await auditOf(r))).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ sub: 'dev-billing' }),
        patientId: P,
        column: P,
        resourceType: 'Coverage',
        resourceId: covUnited,
        action: 'read',
        outcome: 'permit',
      }),
    ]);
  });

  it('a refused coverage read (another patient, another payer) is audited as a deny of that Coverage', async () => {
    for (const [actor, reason] of [
      ['otherPatient', 'denied:scope'],
      ['payerAetna', 'denied:role'],
    ] as const) {
      const r = await t.gql(tokenOf(actor), COVERAGE, { id: covUnited });
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(billingAudit(await auditOf(r))).toEqual([
        expect.objectContaining({
          patientId: P,
          resourceType: 'Coverage',
          resourceId: covUnited,
          action: 'read',
          outcome: 'deny',
          reason,
        }),
      ]);
    }
  });

  it("claims: the payer's read is a permit, another payer's a deny", async () => {
    const ok = await t.gql(tokenOf('payerUnited'), CLAIM, { id: claimId });
    expect(ok.errors).toBeUndefined();
    expect(billingAudit(await auditOf(ok))).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ sub: PAYER_APPS.united }),
        patientId: P,
        resourceType: 'Claim',
        resourceId: claimId,
        action: 'read',
        outcome: 'permit',
      }),
    ]);
    const refused = await t.gql(tokenOf('payerAetna'), CLAIM, { id: claimId });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(billingAudit(await auditOf(refused))).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ sub: PAYER_APPS.aetna }),
        patientId: P,
        resourceType: 'Claim',
        resourceId: claimId,
        action: 'read',
        outcome: 'deny',
        reason: 'denied:role',
      }),
    ]);
  });

  it('a claim search audits every claim it returns as a permitted search', async () => {
    const r = await t.gql<{ claims: { edges: { node: { id: string } }[] } }>(
      billing,
      `query ($p: ID!) { claims(patientId: $p, first: 100) { edges { node { id } } } }`,
      { p: P },
    );
    expect(r.errors).toBeUndefined();
    const ids = r.data!.claims.edges.map((e) => e.node.id);
    expect(ids).toContain(claimId);
    const audited = billingAudit(await auditOf(r));
    expect(audited.map((e) => e.resourceId).sort()).toEqual([...ids].sort());
    for (const e of audited)
      expect(e).toMatchObject({ resourceType: 'Claim', action: 'search', outcome: 'permit' });
  });

  it("the patient's own account and charges are audited as permitted Account, Coverage and ChargeItem reads", async () => {
    const patient = tokenOf('patient');
    const account = await t.gql(
      patient,
      `query ($id: ID!) { patient(id: $id) { id balance { amount } payments { edges { node { id } } } coverages { id } statements { edges { node { id } } } } }`,
      { id: P },
    );
    expect(account.errors).toBeUndefined();
    const entries = billingAudit(await auditOf(account));
    expect(entries.map((e) => [e.resourceType, e.action, e.outcome, e.patientId]).sort()).toEqual(
      [
        ['Account', 'search', 'permit', P],
        ['Account', 'search', 'permit', P],
        ['Account', 'search', 'permit', P],
        ['Coverage', 'search', 'permit', P],
      ].sort(),
    );
    const charges = await t.gql(
      patient,
      `query ($id: ID!) { appointment(id: $id) { charges { id } } }`,
      {
        id: appt,
      },
    );
    expect(charges.errors).toBeUndefined();
    expect(billingAudit(await auditOf(charges))).toEqual([
      expect.objectContaining({
        patientId: P,
        resourceType: 'ChargeItem',
        resourceId: chargeId,
        action: 'search',
        outcome: 'permit',
      }),
    ]);
  });

  it('a role without billing access is refused before any record is read, and the refusal is audited', async () => {
    const r = await t.gql(tokenOf('clinician'), COVERAGE, { id: covUnited });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const entries = await auditOf(r);
    expect(billingAudit(entries)).toEqual([]);
    expect(entries).toEqual([
      expect.objectContaining({
        resourceType: 'graphql:Query.coverage',
        action: 'read',
        outcome: 'deny',
        reason: 'denied:role-or-scope',
      }),
    ]);
  });

  // A refused root field's `id` is recorded as the patient only when the field returns a Patient.
  it('that refusal names no patient: the coverage id is not recorded as one', async () => {
    const r = await t.gql(tokenOf('clinician'), COVERAGE, { id: covUnited });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const [entry] = await auditOf(r);
    expect(entry!.patientId).toBeUndefined();
    expect(entry!.column).toBe('');
  });

  it('a refused mutation naming the patient in its input is audited against that patient', async () => {
    const r = await t.gql(tokenOf('clinician'), ADJUST_BALANCE, {
      i: {
        patientId: P,
        kind: 'writeOff',
        amount: { amount: '1.00', currency: 'USD' },
        reason: 'Hardship',
        idempotencyKey: `k-${Date.now()}-refused`,
      },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const [entry] = await auditOf(r);
    expect(entry).toMatchObject({ patientId: P, outcome: 'deny' });
    expect(entry!.column).toBe(P);
  });
});

describe('a clinician on the care team, and the front desk, reach the patient but none of their billing data', () => {
  it.each(['clinician', 'scheduler'] as const)(
    '%s: each billing field is refused by billing',
    async (actor) => {
      const tok = tokenOf(actor);
      for (const field of [
        'balance { amount }',
        'coverages { id }',
        'payments { edges { node { id } } }',
      ]) {
        const r = await t.gql<{ patient: { id: string } & Record<string, unknown> }>(
          tok,
          `query ($id: ID!) { patient(id: $id) { id ${field} } }`,
          { id: P },
        );
        const name = field.split(' ')[0]!;
        expect(r.data?.patient).toEqual({ id: P, [name]: null });
        expect(
          r.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.serviceName]),
        ).toEqual([[['patient', name], 'FORBIDDEN', 'billing']]);
      }
      const visitRead = await t.gql<{ appointment: { id: string } | null }>(
        tok,
        `query ($id: ID!) { appointment(id: $id) { id } }`,
        { id: appt },
      );
      expect(visitRead.errors).toBeUndefined();
      expect(visitRead.data!.appointment!.id).toBe(appt);
      const charges = await t.gql(
        tok,
        `query ($id: ID!) { appointment(id: $id) { id charges { id } } }`,
        {
          id: appt,
        },
      );
      expect(
        charges.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.serviceName]),
      ).toEqual([[['appointment', 'charges'], 'FORBIDDEN', 'billing']]);
    },
  );
});

describe('a missing record is refused exactly like a forbidden one', () => {
  const same = (a: GqlResponse<unknown>, b: GqlResponse<unknown>) => {
    for (const r of [a, b]) {
      expect(r.status).toBeLessThan(500);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(a.errors![0]!.message).toBe(b.errors![0]!.message);
    expect(a.errors![0]!.extensions).toEqual(b.errors![0]!.extensions);
  };

  it.each([
    ['coverage', 'otherPatient', () => covUnited],
    ['coverage', 'payerAetna', () => covUnited],
    ['claim', 'payerAetna', () => claimId],
    ['claim', 'otherPatient', () => claimId],
  ] as const)('%s(id) as %s', async (field, actor, id) => {
    const q = `query ($id: ID!) { ${field}(id: $id) { id } }`;
    const forbidden = await t.gql(tokenOf(actor), q, { id: id() });
    const missing = await t.gql(tokenOf(actor), q, { id: randomUUID() });
    same(forbidden, missing);
    expect(forbidden.data?.[field as never] ?? null).toBeNull();
  });

  it('coverage(id) and claim(id) of a missing record give billing staff the record-level message', async () => {
    for (const field of ['coverage', 'claim']) {
      const r = await t.gql(billing, `query ($id: ID!) { ${field}(id: $id) { id } }`, {
        id: randomUUID(),
      });
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(r.errors![0]!.message).toBe(NO_ACCESS);
    }
  });

  it("adjudicating another payer's claim or a missing one: the same FORBIDDEN, nothing written", async () => {
    const id = await claimIn('submitted');
    const before = await counts();
    const aetna = tokenOf('payerAetna');
    const input = { i: { ...PARTLY_PAID, idempotencyKey: key() } };
    const forbidden = await t.gql(aetna, ADJUDICATE_CLAIM, { id, ...input });
    const missing = await t.gql(aetna, ADJUDICATE_CLAIM, { id: randomUUID(), ...input });
    same(forbidden, missing);
    expect(forbidden.errors![0]!.message).toBe(NO_ACCESS);
    expect(delta(before, await counts())).toEqual({});
    expect(await claimStatus(id)).toBe('submitted');
  });

  it("a patient paying into another patient's account or a missing one: the same FORBIDDEN, nothing written", async () => {
    const before = await counts();
    const other = tokenOf('otherPatient');
    const pay = (patientId: string) =>
      t.gql(other, TAKE_PAYMENT, { i: { patientId, amount: usd('5.00'), idempotencyKey: key() } });
    same(await pay(P), await pay(randomUUID()));
    expect(delta(before, await counts())).toEqual({});
  });

  it.each([
    ['cancelCoverage', CANCEL_COVERAGE, (id: string) => ({ id, v: 1 })],
    ['submitClaim', SUBMIT_CLAIM, (id: string) => ({ id })],
    ['closeClaim', CLOSE_CLAIM, (id: string) => ({ id })],
    [
      'refundPayment',
      REFUND_PAYMENT,
      (id: string) => ({
        i: { paymentId: id, amount: usd('1.00'), reason: 'x', idempotencyKey: key() },
      }),
    ],
    [
      'createClaim',
      CREATE_CLAIM,
      (id: string) => ({ i: { appointmentId: appt, coverageId: id, idempotencyKey: key() } }),
    ],
  ] as const)(
    '%s of a missing record is FORBIDDEN (not NOT_FOUND), nothing written',
    async (_op, query, vars) => {
      const before = await counts();
      const r = await t.gql(billing, query, vars(randomUUID()));
      expect(r.status).toBeLessThan(500);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(r.errors![0]!.message).toBe(NO_ACCESS);
      expect(delta(before, await counts())).toEqual({});
    },
  );
});

describe('consent reaches billing through consent.changed', () => {
  /** A patient of their own, so the consent touches no other test: coverage, visit, draft claim. */
  let C: string;
  let cov: string;
  let visitId: string;
  let claim: string;
  let patient: string;
  let consentId: string;

  async function waitFor(what: () => Promise<boolean>, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (await what()) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return what();
  }

  async function projected(id: string, status: string): Promise<boolean> {
    const rows = await t.sql<{ status: string }>(
      'SELECT status FROM billing.consent_projection WHERE id = $1',
      [id],
    );
    return rows[0]?.status === status;
  }

  /** Billing staff's reads of C: coverage, claim, claim search and the account fields. */
  async function reads(token: string) {
    const coverage = await t.gql(token, `query ($id: ID!) { coverage(id: $id) { id } }`, {
      id: cov,
    });
    const claimRead = await t.gql(token, `query ($id: ID!) { claim(id: $id) { id } }`, {
      id: claim,
    });
    const claims = await t.gql<{
      claims: {
        edges: { node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    }>(
      token,
      `query ($p: ID!) { claims(patientId: $p) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      { p: C },
    );
    const account = await t.gql<{
      patient: {
        balance: { amount: string } | null;
        coverages: { id: string }[] | null;
        payments: { edges: unknown[] } | null;
        statements: { edges: unknown[] };
      };
    }>(
      token,
      `query ($id: ID!) { patient(id: $id) { id balance { amount } coverages { id } payments { edges { node { id } } } statements { edges { node { id } } } } }`,
      { id: C },
    );
    return { coverage, claimRead, claims, account };
  }

  /** The visit's charges as an admin (of the same organisation as billing staff) sees them. */
  async function adminCharges() {
    const r = await t.gql<{ appointment: { charges: { id: string }[] } }>(
      admin,
      `query ($id: ID!) { appointment(id: $id) { id charges { id } } }`,
      { id: visitId },
    );
    expect(r.errors).toBeUndefined();
    return r;
  }

  async function expectOpen(): Promise<void> {
    const open = await reads(billing);
    expect(open.coverage.errors).toBeUndefined();
    expect(open.claimRead.errors).toBeUndefined();
    expect(open.claims.data!.claims.edges.map((e) => e.node.id)).toEqual([claim]);
    expect(open.account.errors).toBeUndefined();
    expect(open.account.data!.patient.balance).toEqual({ amount: '136.02' });
    expect(open.account.data!.patient.coverages).toEqual([{ id: cov }]);
    expect((await adminCharges()).data!.appointment.charges).toHaveLength(1);
  }

  beforeAll(async () => {
    C = (await newPatient(t, 'consent')).toLowerCase();
    cov = await coverageFor(t, C, 'united');
    visitId = await visit(t, C);
    await waitForCharges(t, visitId);
    claim = (
      await asBilling<{ createClaim: { id: string } }>(CREATE_CLAIM, {
        i: { appointmentId: visitId, coverageId: cov, idempotencyKey: key() },
      })
    ).createClaim.id;
    patient = await t.token('patient', { patientId: C, sub: `patient-${C}` });
  }, 60_000);

  it('before any consent, billing staff read everything of the patient', async () => {
    await expectOpen();
  });

  it('a deny of the billing organisation, recorded in the patient subgraph, reaches billing', async () => {
    const recorded = await t.gql<{ recordConsent: { id: string } }>(
      patient,
      /* GraphQL */ `
        mutation ($p: ID!, $input: RecordConsentInput!) {
          recordConsent(patientId: $p, input: $input) {
            id
          }
        }
      `,
      {
        p: C,
        input: {
          scope: 'patient_privacy',
          provisions: [
            {
              type: 'deny',
              actors: [{ kind: 'organization', id: 'demo-org' }],
              dataClasses: ['Coverage', 'Claim', 'Account', 'ChargeItem'],
            },
          ],
        },
      },
    );
    expect(recorded.errors).toBeUndefined();
    consentId = recorded.data!.recordConsent.id;
    expect(
      await waitFor(() => projected(consentId, 'active'), 15_000),
      'consent.changed never reached billing.consent_projection',
    ).toBe(true);
  }, 30_000);

  it('then billing reads of the patient are FORBIDDEN (or empty), each audited as a consent denial', async () => {
    const closed = await reads(billing);
    for (const r of [closed.coverage, closed.claimRead]) {
      expect(r.status).toBeLessThan(500);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(r.errors![0]!.message).toBe(NO_ACCESS);
    }
    // A record refused by consent looks like a missing one.
    const missing = await t.gql(billing, `query ($id: ID!) { claim(id: $id) { id } }`, {
      id: randomUUID(),
    });
    expect(missing.errors![0]!.message).toBe(closed.claimRead.errors![0]!.message);
    expect(missing.errors![0]!.extensions).toEqual(closed.claimRead.errors![0]!.extensions);
    expect(closed.claims.errors).toBeUndefined();
    expect(closed.claims.data!.claims.edges).toEqual([]);
    // The Patient fields answer "nothing you may see" (null / empty), as the schema documents.
    expect(closed.account.errors).toBeUndefined();
    expect(closed.account.data!.patient).toEqual({
      id: C,
      balance: null,
      coverages: null,
      payments: null,
      statements: { edges: [] },
    });
    const denials = billingAudit([
      ...(await auditOf(closed.coverage)),
      ...(await auditOf(closed.claimRead)),
      ...(await auditOf(closed.claims)),
      ...(await auditOf(closed.account)),
    ]);
    expect(denials.map((e) => [e.resourceType, e.outcome, e.reason, e.patientId]).sort()).toEqual(
      [
        ['Coverage', 'deny', 'denied:consent', C],
        ['Claim', 'deny', 'denied:consent', C],
        ['Claim', 'deny', 'denied:consent', C],
        ['Account', 'deny', 'denied:consent', C],
        ['Account', 'deny', 'denied:consent', C],
        ['Account', 'deny', 'denied:consent', C],
        ['Coverage', 'deny', 'denied:consent', C],
      ].sort(),
    );
    // An admin of the same organisation still sees the visit, but no longer its charges.
    const hidden = await adminCharges();
    expect(hidden.data!.appointment.charges).toEqual([]);
    expect(billingAudit(await auditOf(hidden))).toEqual([
      expect.objectContaining({
        patientId: C,
        resourceType: 'ChargeItem',
        outcome: 'deny',
        reason: 'denied:consent',
      }),
    ]);
  });

  // pageInfo follows the claims returned: a refused claim's cursor would reveal it.
  it('a claim search refused by consent does not reveal the hidden claim in pageInfo', async () => {
    const { claims } = await reads(billing);
    expect(claims.data!.claims.edges).toEqual([]);
    expect(claims.data!.claims.pageInfo.endCursor).toBeNull();
  });

  it('billing writes for the patient are refused too, and write nothing', async () => {
    const before = await counts();
    const pay = await t.gql(billing, TAKE_PAYMENT, {
      i: { patientId: C, amount: usd('5.00'), idempotencyKey: key() },
    });
    const submit = await t.gql(billing, SUBMIT_CLAIM, { id: claim });
    const missing = await t.gql(billing, SUBMIT_CLAIM, { id: randomUUID() });
    for (const r of [pay, submit, missing]) {
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(r.errors![0]!.message).toBe(NO_ACCESS);
    }
    expect(delta(before, await counts())).toEqual({});
    expect(await claimStatus(claim)).toBe('draft');
  });

  it('the patient still reads their own account; the payer (another organisation) its claim', async () => {
    const own = await t.gql<{ patient: { balance: { amount: string } } }>(
      patient,
      `query ($id: ID!) { patient(id: $id) { balance { amount } } }`,
      { id: C },
    );
    expect(own.errors).toBeUndefined();
    expect(own.data!.patient.balance).toEqual({ amount: '136.02' });
    const payer = await t.gql<{ claim: { id: string } }>(
      tokenOf('payerUnited'),
      `query ($id: ID!) { claim(id: $id) { id } }`,
      { id: claim },
    );
    expect(payer.errors).toBeUndefined();
    expect(payer.data!.claim.id).toBe(claim);
  });

  it('revoking the consent restores billing access once the change arrives', async () => {
    const revoked = await t.gql(
      patient,
      'mutation ($c: ID!) { revokeConsent(consentId: $c) { status } }',
      { c: consentId },
    );
    expect(revoked.errors).toBeUndefined();
    expect(
      await waitFor(() => projected(consentId, 'inactive'), 15_000),
      'the revocation never reached billing.consent_projection',
    ).toBe(true);
    await expectOpen();
  }, 30_000);
});
