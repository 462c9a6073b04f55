import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCounter, sumCounter } from '../support/metrics.js';
import { startTestStack, untilKnown, type TestStack } from '../support/stack.js';

/**
 * `Patient.appointments` is batched: the patient subgraph resolves the list,
 * the gateway asks the scheduling subgraph for every patient in one
 * `_entities` request, and that request costs as many SQL statements for 50
 * patients as for 1. Counted from the scheduling subgraph's own
 * `carefed_db_statements_total`, read over HTTP around each query.
 */
let t: TestStack;
let admin: string;
const PATIENTS = 50;

interface Slot {
  start: string;
}

async function slotsOf(practitionerId: string, n: number): Promise<Slot[]> {
  const r = await t.gql<{ availableSlots: Slot[] }>(
    admin,
    /* GraphQL */ `
      query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!, $n: Int!) {
        availableSlots(practitionerId: $p, from: $from, to: $to, first: $n) {
          start
        }
      }
    `,
    {
      p: practitionerId,
      // Three days ahead: no 24-hour reminder falls due while the test runs.
      from: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      to: new Date(Date.now() + 33 * 86_400_000).toISOString(),
      n,
    },
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.availableSlots.length).toBe(n);
  return r.data!.availableSlots;
}

beforeAll(async () => {
  // No periodic audit-head signing in the middle of a count.
  t = await startTestStack('sched-batching', { AUDIT_HEAD_INTERVAL: '3600' });
  admin = await t.token('admin');
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
          mrn: `SBATCH-${i}`,
          name: { family: 'Batch', given: [`S${i}`] },
          birthDate: '1966-06-06',
          gender: 'female',
        },
      },
    );
    expect(r.errors).toBeUndefined();
    created.push(r.data!.createPatient.id);
  }
  const patientIds = [...t.stack.seed!.patientIds, ...created];
  expect(patientIds.length).toBe(PATIENTS);
  await untilKnown(t, created);

  // Appointments with five practitioners, so the nested practitioner batch has several ids;
  // the first ten patients get a second appointment.
  const ps = await t.gql<{ practitioners: { id: string }[] }>(admin, '{ practitioners { id } }');
  const practitioners = ps.data!.practitioners.slice(0, 5).map((p) => p.id);
  expect(practitioners.length).toBe(5);
  const slots = new Map<string, Slot[]>();
  for (const p of practitioners) slots.set(p, await slotsOf(p, 20));
  const bookings = [
    ...patientIds.map((id, i) => ({ patientId: id, practitionerId: practitioners[i % 5]! })),
    ...patientIds
      .slice(0, 10)
      .map((id, i) => ({ patientId: id, practitionerId: practitioners[(i + 1) % 5]! })),
  ];
  for (const [i, b] of bookings.entries()) {
    const r = await t.gql(
      admin,
      'mutation ($i: BookAppointmentInput!) { bookAppointment(input: $i) { id } }',
      {
        i: {
          ...b,
          start: slots.get(b.practitionerId)!.shift()!.start,
          reason: 'Batch visit',
          idempotencyKey: `batch-${i.toString().padStart(4, '0')}`,
        },
      },
    );
    expect(r.errors).toBeUndefined();
  }
}, 120_000);
afterAll(() => t?.stop());

const LIST = /* GraphQL */ `
  query ($n: Int!) {
    patients(first: $n) {
      edges {
        node {
          id
          appointments(first: 3) {
            edges {
              node {
                id
                status
                practitioner {
                  name {
                    text
                  }
                }
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
        appointments: {
          edges: {
            node: { id: string; status: string; practitioner: { name: { text: string } } };
          }[];
        };
      };
    }[];
  };
}

async function auditedSearches(): Promise<number> {
  const [row] = await t.sql<{ n: string }>(
    `select count(*) n from audit.entry
      where payload::jsonb ->> 'resourceType' = 'Appointment'
        and payload::jsonb ->> 'action' = 'search'`,
  );
  return Number(row!.n);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the scheduling subgraph is idle: the bookings' events
 * (notifications, webhook fan-out) are handled in the background by its
 * worker on the same counted connection, so a count taken meanwhile would
 * include them.
 */
async function settle(): Promise<void> {
  const url = t.stack.subgraph('scheduling').url;
  const until = Date.now() + 20_000;
  let last = await readCounter(url, 'carefed_db_statements_total');
  while (Date.now() < until) {
    await sleep(300);
    const [{ n }] = (await t.sql<{ n: string }>(
      'select count(*) n from graphile_worker.jobs where run_at <= now() and attempts < max_attempts',
    )) as [{ n: string }];
    const now = await readCounter(url, 'carefed_db_statements_total');
    if (Number(n) === 0 && now === last) return;
    last = now;
  }
  throw new Error('the scheduling subgraph never went idle');
}

async function costOf(token: string, n: number) {
  const url = t.stack.subgraph('scheduling').url;
  await settle();
  const [statements0, requests0, audits0] = await Promise.all([
    readCounter(url, 'carefed_db_statements_total'),
    sumCounter(url, 'carefed_graphql_requests_total'),
    auditedSearches(),
  ]);
  const r = await t.gql<ListResult>(token, LIST, { n });
  const [statements1, requests1, audits1] = await Promise.all([
    readCounter(url, 'carefed_db_statements_total'),
    sumCounter(url, 'carefed_graphql_requests_total'),
    auditedSearches(),
  ]);
  expect(r.errors).toBeUndefined();
  const edges = r.data!.patients.edges;
  for (const e of edges) {
    expect(e.node.appointments.edges.length).toBeGreaterThan(0);
    for (const a of e.node.appointments.edges) {
      expect(a.node.status).toBe('booked');
      expect(a.node.practitioner.name.text).toMatch(/\S/);
    }
  }
  return {
    rows: edges.length,
    appointments: edges.reduce((s, e) => s + e.node.appointments.edges.length, 0),
    statements: statements1 - statements0,
    subgraphRequests: requests1 - requests0,
    audits: audits1 - audits0,
  };
}

describe('Patient.appointments over a list of patients', () => {
  it('as admin: 50 patients cost as many scheduling statements as 1, in one subgraph request', async () => {
    const one = await costOf(admin, 1);
    const fifty = await costOf(admin, PATIENTS);
    console.log(
      `scheduling statements: 1 patient ${one.statements}, ${PATIENTS} patients ${fifty.statements}`,
    );
    expect(one.rows).toBe(1);
    expect(fifty.rows).toBe(PATIENTS);
    expect(fifty.appointments).toBe(PATIENTS + 10);
    expect(one.statements).toBeGreaterThan(0);
    expect(fifty.statements).toBe(one.statements);
    // The gateway sends one `_entities` request for all patients.
    expect(one.subgraphRequests).toBe(1);
    expect(fifty.subgraphRequests).toBe(1);
    // Each patient's list is audited (in one INSERT): one search entry per patient.
    expect(one.audits).toBe(1);
    expect(fifty.audits).toBe(PATIENTS);
  });

  it('as the front desk: the same, and still batched', async () => {
    const scheduler = await t.token('scheduler');
    const one = await costOf(scheduler, 1);
    const fifty = await costOf(scheduler, PATIENTS);
    expect(fifty.rows).toBe(PATIENTS);
    expect(fifty.statements).toBe(one.statements);
  });
});
