import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageFor, key, visit, waitForCharges } from '../support/billing.js';
import { readCounter, sumCounter } from '../support/metrics.js';
import { startTestStack, untilKnown, type TestStack } from '../support/stack.js';

/**
 * The billing fields of a list of patients are batched: the gateway asks the
 * billing subgraph for every patient in one `_entities` request, and that
 * request costs as many SQL statements for 50 patients as for 1 (coverages
 * with their plans and payers, balances, a page of payments, and a page of
 * statements each with a page of its lines). Counted from the billing subgraph's own carefed_db_statements_total,
 * read over HTTP around each query, as tests/scheduling/batching.test.ts does.
 */
let t: TestStack;
let billing: string;
const PATIENTS = 50;
/** Patients (from the front of the list) with three payments and three statements. */
const BUSY = 5;

async function inBatches<T>(items: T[], size: number, f: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(f));
}

async function takePayment(patientId: string, amount: string): Promise<void> {
  const r = await t.gql(
    billing,
    'mutation ($i: TakePaymentInput!) { takePayment(input: $i) { id } }',
    { i: { patientId, amount: { amount, currency: 'USD' }, idempotencyKey: key() } },
  );
  expect(r.errors).toBeUndefined();
}

async function issueStatement(patientId: string): Promise<void> {
  const r = await t.gql(
    billing,
    'mutation ($i: IssueStatementInput!) { issueStatement(input: $i) { id } }',
    { i: { patientId, idempotencyKey: key() } },
  );
  expect(r.errors).toBeUndefined();
}

let listed: string[] = [];

beforeAll(async () => {
  // No periodic audit-head signing in the middle of a count.
  t = await startTestStack('billing-batching', { AUDIT_HEAD_INTERVAL: '3600' });
  const admin = await t.token('admin');
  billing = await t.token('billing');
  const created: string[] = [];
  for (let i = t.stack.seed!.patientIds.length; i < PATIENTS; i++) {
    const r = await t.gql<{ createPatient: { id: string } }>(
      admin,
      /* GraphQL */ `
        mutation ($input: CreatePatientInput!) {
          createPatient(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          mrn: `BBATCH-${i}`,
          name: { family: 'Batch', given: [`B${i}`] },
          birthDate: '1966-06-06',
          gender: 'male',
        },
      },
    );
    expect(r.errors).toBeUndefined();
    created.push(r.data!.createPatient.id);
  }
  expect(t.stack.seed!.patientIds.length + created.length).toBe(PATIENTS);
  // Billing refuses writes for patients it has not learnt of yet (the event is asynchronous).
  await untilKnown(t, created);

  // In the order the list returns them, so the first and the busy ones are known.
  const order = await t.gql<{ patients: { edges: { node: { id: string } }[] } }>(
    billing,
    'query ($n: Int!) { patients(first: $n) { edges { node { id } } } }',
    { n: PATIENTS },
  );
  expect(order.errors).toBeUndefined();
  listed = order.data!.patients.edges.map((e) => e.node.id);
  expect(listed).toHaveLength(PATIENTS);

  // Every patient: a coverage (UnitedHealthcare or Aetna at priority 9, clear of seeded ones),
  // a payment and a statement; the first BUSY patients two more payments, each with its statement.
  await inBatches(listed, 10, async (patientId) => {
    const i = listed.indexOf(patientId);
    await coverageFor(t, patientId, i % 2 ? 'aetna' : 'united', 9);
    await takePayment(patientId, `${i + 1}.25`);
    await issueStatement(patientId);
    if (i < BUSY) {
      await takePayment(patientId, '3.50');
      await issueStatement(patientId);
      await takePayment(patientId, '1.00');
      await issueStatement(patientId);
    }
  });
}, 120_000);
afterAll(() => t?.stop());

const LIST = /* GraphQL */ `
  query ($n: Int!) {
    patients(first: $n) {
      edges {
        node {
          id
          balance {
            amount
          }
          coverages {
            id
            plan {
              name
            }
            payer {
              name
            }
          }
          statements(first: 2) {
            edges {
              node {
                id
                lines(first: 10) {
                  edges {
                    node {
                      kind
                    }
                  }
                }
              }
            }
          }
          payments(first: 5) {
            edges {
              node {
                id
              }
            }
          }
        }
      }
    }
  }
`;

interface ListResult {
  patients: {
    edges: {
      node: {
        id: string;
        balance: { amount: string } | null;
        coverages: { id: string; plan: { name: string }; payer: { name: string } }[] | null;
        statements: {
          edges: { node: { id: string; lines: { edges: { node: { kind: string } }[] } } }[];
        };
        payments: { edges: { node: { id: string } }[] } | null;
      };
    }[];
  };
}

async function auditedBilling(): Promise<number> {
  const [row] = await t.sql<{ n: string }>(
    `SELECT count(*) n FROM audit.entry
      WHERE payload::jsonb ->> 'resourceType' IN ('Coverage', 'Account')
        AND payload::jsonb ->> 'action' = 'search'`,
  );
  return Number(row!.n);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the billing subgraph is idle (its event worker counts on the same connection). */
async function settle(): Promise<void> {
  const url = t.stack.subgraph('billing').url;
  const until = Date.now() + 20_000;
  let last = await readCounter(url, 'carefed_db_statements_total');
  while (Date.now() < until) {
    await sleep(300);
    const [{ n }] = (await t.sql<{ n: string }>(
      'SELECT count(*) n FROM graphile_worker.jobs WHERE run_at <= now() AND attempts < max_attempts',
    )) as [{ n: string }];
    const now = await readCounter(url, 'carefed_db_statements_total');
    if (Number(n) === 0 && now === last) return;
    last = now;
  }
  throw new Error('the billing subgraph never went idle');
}

async function costOf(token: string, n: number) {
  const url = t.stack.subgraph('billing').url;
  await settle();
  const [statements0, requests0, audits0] = await Promise.all([
    readCounter(url, 'carefed_db_statements_total'),
    sumCounter(url, 'carefed_graphql_requests_total'),
    auditedBilling(),
  ]);
  const r = await t.gql<ListResult>(token, LIST, { n });
  const [statements1, requests1, audits1] = await Promise.all([
    readCounter(url, 'carefed_db_statements_total'),
    sumCounter(url, 'carefed_graphql_requests_total'),
    auditedBilling(),
  ]);
  expect(r.errors).toBeUndefined();
  const nodes = r.data!.patients.edges.map((e) => e.node);
  expect(nodes.map((p) => p.id)).toEqual(listed.slice(0, n));
  for (const [i, p] of nodes.entries()) {
    expect(p.coverages!.length).toBeGreaterThan(0);
    for (const c of p.coverages!) {
      expect(c.plan.name).toMatch(/\S/);
      expect(c.payer.name).toMatch(/\S/);
    }
    expect(p.coverages!.map((c) => c.payer.name)).toContain(i % 2 ? 'Aetna' : 'UnitedHealthcare');
    expect(p.payments!.edges).toHaveLength(i < BUSY ? 3 : 1);
    // Each statement lists the one payment since the one before; two of a busy patient's three.
    expect(p.statements.edges).toHaveLength(i < BUSY ? 2 : 1);
    for (const e of p.statements.edges)
      expect(e.node.lines.edges.map((l) => l.node.kind)).toEqual(['payment']);
    expect(p.balance!.amount).toBe(i < BUSY ? `-${i + 5}.75` : `-${i + 1}.25`);
  }
  return {
    rows: nodes.length,
    statements: statements1 - statements0,
    subgraphRequests: requests1 - requests0,
    audits: audits1 - audits0,
  };
}

describe('billing fields over a list of patients', () => {
  it('as billing staff: 50 patients cost as many billing statements as 1, in one subgraph request', async () => {
    const one = await costOf(billing, 1);
    const fifty = await costOf(billing, PATIENTS);
    console.log(
      `billing statements: 1 patient ${one.statements}, ${PATIENTS} patients ${fifty.statements}`,
    );
    expect(one.rows).toBe(1);
    expect(fifty.rows).toBe(PATIENTS);
    expect(one.statements).toBeGreaterThan(0);
    expect(fifty.statements).toBe(one.statements);
    expect(one.subgraphRequests).toBe(1);
    expect(fifty.subgraphRequests).toBe(1);
    // Four audited reads per patient: coverages, and the account's balance, payments and statements.
    expect(one.audits).toBe(4);
    expect(fifty.audits).toBe(4 * PATIENTS);
  });

  it('as an admin (reads only): the same, and still batched', async () => {
    const admin = await t.token('admin');
    const one = await costOf(admin, 1);
    const fifty = await costOf(admin, PATIENTS);
    expect(fifty.rows).toBe(PATIENTS);
    expect(fifty.statements).toBe(one.statements);
    expect(fifty.subgraphRequests).toBe(1);
    expect(fifty.audits).toBe(4 * PATIENTS);
  });
});

describe('statements asked for twice with different pages', () => {
  it('each alias gets its own page', async () => {
    const busy = listed[0]!;
    const r = await t.gql<{
      patient: {
        a: { edges: unknown[]; pageInfo: { hasNextPage: boolean } };
        b: { edges: unknown[]; pageInfo: { hasNextPage: boolean } };
      };
    }>(
      billing,
      `query ($id: ID!) { patient(id: $id) {
         a: statements(first: 1) { edges { node { id } } pageInfo { hasNextPage } }
         b: statements(first: 3) { edges { node { id } } pageInfo { hasNextPage } }
       } }`,
      { id: busy },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.patient.a.edges).toHaveLength(1);
    expect(r.data!.patient.a.pageInfo.hasNextPage).toBe(true);
    expect(r.data!.patient.b.edges).toHaveLength(3);
    expect(r.data!.patient.b.pageInfo.hasNextPage).toBe(false);
  });
});

describe('Appointment.charges over a list of visits', () => {
  it('costs as many billing statements for 5 visits (and their claims with coverage) as for 1', async () => {
    const patientId = listed[1]!;
    const visits: string[] = [];
    for (let i = 0; i < 5; i++) visits.push(await visit(t, patientId));
    for (const id of visits) await waitForCharges(t, id);
    const LIST_CHARGES = /* GraphQL */ `
      query ($id: ID!, $n: Int!) {
        patient(id: $id) {
          appointments(first: $n) {
            edges {
              node {
                id
                charges {
                  code
                  amount {
                    amount
                  }
                }
              }
            }
          }
        }
      }
    `;
    const url = t.stack.subgraph('billing').url;
    const cost = async (n: number) => {
      await settle();
      const before = await readCounter(url, 'carefed_db_statements_total');
      const r = await t.gql<{
        patient: { appointments: { edges: { node: { charges: { code: string }[] } }[] } };
      }>(billing, LIST_CHARGES, { id: patientId, n });
      const after = await readCounter(url, 'carefed_db_statements_total');
      expect(r.errors).toBeUndefined();
      const edges = r.data!.patient.appointments.edges;
      expect(edges).toHaveLength(n);
      for (const e of edges) expect(e.node.charges.map((c) => c.code)).toEqual(['G0463']);
      return after - before;
    };
    const one = await cost(1);
    const five = await cost(5);
    expect(one).toBeGreaterThan(0);
    expect(five).toBe(one);

    // The same visits claimed: a list of claims with their coverage reads the coverages in one round.
    const [coverage] = await t.sql<{ id: string }>(
      'SELECT id FROM billing.coverage WHERE patient_id = $1',
      [patientId],
    );
    for (const appointmentId of visits) {
      const c = await t.gql(
        billing,
        'mutation ($i: CreateClaimInput!) { createClaim(input: $i) { id } }',
        { i: { appointmentId, coverageId: coverage!.id, idempotencyKey: key() } },
      );
      expect(c.errors).toBeUndefined();
    }
    const claimsCost = async (n: number) => {
      await settle();
      const before = await readCounter(url, 'carefed_db_statements_total');
      const r = await t.gql<{
        claims: { edges: { node: { coverage: { id: string; memberId: string } } }[] };
      }>(
        billing,
        'query ($p: ID!, $n: Int!) { claims(patientId: $p, first: $n) { edges { node { coverage { id memberId } } } } }',
        { p: patientId, n },
      );
      const after = await readCounter(url, 'carefed_db_statements_total');
      expect(r.errors).toBeUndefined();
      expect(r.data!.claims.edges.map((e) => e.node.coverage.id)).toEqual(
        Array<string>(n).fill(coverage!.id),
      );
      return after - before;
    };
    expect(await claimsCost(5)).toBe(await claimsCost(1));
  }, 60_000);
});
