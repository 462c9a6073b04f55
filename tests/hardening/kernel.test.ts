import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPause } from '../../platform/testing/pause-points.js';
import { key, newPatient } from '../support/billing.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Issue 11, the access kernel's items, replayed through the gateway over real
 * HTTP, real SQL and the real event worker: #7 (stale projections refuse PHI),
 * #11 (writes for patients that do not exist), #13 (a missing appointment takes
 * the refused one's path), #17 (idempotency keys per client, subject and
 * patient), #23 (access decided inside the write's transaction).
 */
const MAX_LAG_MS = 3000;
let t: TestStack;
let admin: string;

beforeAll(async () => {
  t = await startTestStack('hardening-kernel', {
    ACCESS_FACTS_MAX_LAG_MS: String(MAX_LAG_MS),
    ACCESS_FACTS_HEARTBEAT_MS: '250',
  });
  admin = await t.token('admin');
}, 120_000);
afterAll(() => t?.stop());

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what}: never happened`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

const known = async (schema: string, patientId: string): Promise<boolean> =>
  (await t.sql(`SELECT 1 FROM ${schema}.patient_projection WHERE id = $1`, [patientId])).length ===
  1;

const openSlots = new Map<string, string[]>();
/** A free slot of the practitioner (this file books nothing else on them). */
async function slot(practitionerId = t.demo.practitionerId): Promise<string> {
  let free = openSlots.get(practitionerId);
  if (!free?.length) {
    const r = await t.gql<{ availableSlots: { start: string }[] }>(
      admin,
      `query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
        availableSlots(practitionerId: $p, from: $from, to: $to, first: 200) { start } }`,
      {
        p: practitionerId,
        from: new Date(Date.now() + 86_400_000).toISOString(),
        to: new Date(Date.now() + 31 * 86_400_000).toISOString(),
      },
    );
    expect(r.errors).toBeUndefined();
    free = r.data!.availableSlots.map((s) => s.start);
    openSlots.set(practitionerId, free);
  }
  return free.shift()!;
}

const BOOK = `mutation ($i: BookAppointmentInput!) { bookAppointment(input: $i) { id patient { id } } }`;

async function book(token: string, patientId: string, idempotencyKey = key(), start?: string) {
  return t.gql<{ bookAppointment: { id: string; patient: { id: string } } }>(token, BOOK, {
    i: {
      patientId,
      practitionerId: t.demo.practitionerId,
      start: start ?? (await slot()),
      idempotencyKey,
    },
  });
}

const clinician = () => t.token('clinician', { practitionerId: t.demo.practitionerId });

/** A patient registered by the demo clinician (so on their care team), known to scheduling and billing. */
async function teamPatient(): Promise<string> {
  const r = await t.gql<{ createPatient: { id: string } }>(
    await clinician(),
    `mutation ($input: CreatePatientInput!) { createPatient(input: $input) { id } }`,
    {
      input: {
        mrn: `KR-${randomBytes(4).toString('hex')}`,
        name: { family: 'Kernel', given: ['Race'] },
        birthDate: '1980-02-02',
        gender: 'other',
      },
    },
  );
  expect(r.errors).toBeUndefined();
  const id = r.data!.createPatient.id;
  await waitFor('scheduling knows the patient and its care team', async () => {
    const rows = await t.sql(
      `SELECT 1 FROM scheduling.care_team_projection WHERE patient_id = $1 AND until IS NULL`,
      [id],
    );
    return rows.length === 1 && (await known('scheduling', id));
  });
  return id;
}

/** The patient's deny of the demo clinician, recorded by the patient in person. */
async function denyClinician(patientId: string): Promise<void> {
  const r = await t.gql<{ recordConsent: { id: string } }>(
    await t.token('patient', { patientId, sub: `patient-${patientId}` }),
    `mutation ($p: ID!, $input: RecordConsentInput!) { recordConsent(patientId: $p, input: $input) { id } }`,
    {
      p: patientId,
      input: {
        scope: 'patient_privacy',
        provisions: [
          { type: 'deny', actors: [{ kind: 'practitioner', id: t.demo.practitionerId }] },
        ],
      },
    },
  );
  expect(r.errors).toBeUndefined();
}

const projectedDeny = async (schema: string, patientId: string) =>
  (await t.sql(`SELECT 1 FROM ${schema}.consent_projection WHERE patient_id = $1`, [patientId]))
    .length > 0;

describe('#11 writes for a patient that does not exist', () => {
  it('#11 refuses a booking, a coverage and a payment for a missing patient, with the answer a refusal gets', async () => {
    const missing = randomUUID();
    const booked = await book(await t.token('scheduler'), missing);
    expect(booked.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(booked.data?.bookAppointment ?? null).toBeNull();
    expect(
      await t.sql('SELECT 1 FROM scheduling.appointment WHERE patient_id = $1', [missing]),
    ).toHaveLength(0);

    const billing = await t.token('billing');
    const coverage = await t.gql(
      billing,
      `mutation ($i: RecordCoverageInput!) { recordCoverage(input: $i) { id } }`,
      {
        i: {
          patientId: missing,
          planId: '60001',
          memberId: 'M-1',
          relationship: 'self',
          periodStart: '2026-01-01',
          priority: 1,
          idempotencyKey: key(),
        },
      },
    );
    expect(coverage.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const payment = await t.gql(
      billing,
      `mutation ($i: TakePaymentInput!) { takePayment(input: $i) { id } }`,
      {
        i: {
          patientId: missing,
          amount: { amount: '10.00', currency: 'USD' },
          idempotencyKey: key(),
        },
      },
    );
    expect(payment.errors?.[0]?.extensions?.code).toMatch(/^(FORBIDDEN|BAD_USER_INPUT)$/);
    expect(payment.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect(
      await t.sql('SELECT 1 FROM billing.coverage WHERE patient_id = $1', [missing]),
    ).toHaveLength(0);

    // The refusal is audited under its own reason; the caller sees only FORBIDDEN.
    const [row] = await t.sql<{ reason: string }>(
      `SELECT payload::jsonb ->> 'reason' AS reason FROM audit.entry
        WHERE patient_id = $1 AND payload::jsonb ->> 'resourceType' = 'Appointment'`,
      [missing],
    );
    expect(row?.reason).toBe('denied:unknown-patient');
  });

  it('#11 a clinician without access gets one answer for a missing and an existing patient', async () => {
    const outsider = await t.token('clinician', { practitionerId: `prac-${randomUUID()}` });
    const missing = await book(outsider, randomUUID());
    const existing = await book(outsider, t.demo.otherPatientId);
    expect(missing.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(existing.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(missing.errors?.[0]?.message).toBe(existing.errors?.[0]?.message);
  });

  it('#11 recordConsent for a missing patient is a typed refusal, not an internal error', async () => {
    const r = await t.gql(
      admin,
      `mutation ($p: ID!, $input: RecordConsentInput!) { recordConsent(patientId: $p, input: $input) { id } }`,
      {
        p: randomUUID(),
        input: { scope: 'research', provisions: [{ type: 'deny' }] },
      },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('#11 a new patient is known to every subgraph by event, and bookable once known', async () => {
    const id = await newPatient(t, 'kernel');
    await waitFor(
      'scheduling and billing know the patient',
      async () => (await known('scheduling', id)) && (await known('billing', id)),
    );
    const r = await book(await t.token('scheduler'), id);
    expect(r.errors).toBeUndefined();
    expect(r.data!.bookAppointment.patient.id).toBe(id);
  });
});

describe('#13 existence by timing', () => {
  it('#13 a missing appointment is decided and audited like a refused one, with the same answer', async () => {
    const existing = await book(await t.token('scheduler'), t.demo.otherPatientId);
    expect(existing.errors).toBeUndefined();
    const outsider = await t.token('clinician', {
      practitionerId: `prac-${randomUUID()}`,
      sub: `outsider-${randomUUID()}`,
    });
    const read = (id: string) =>
      t.gql(outsider, 'query ($id: ID!) { appointment(id: $id) { id } }', { id });
    const missingId = randomUUID();
    const refused = await read(existing.data!.bookAppointment.id);
    const missing = await read(missingId);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(missing.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(missing.errors?.[0]?.message).toBe(refused.errors?.[0]?.message);

    const audited = await t.sql<{ outcome: string; reason: string }>(
      `SELECT payload::jsonb ->> 'outcome' AS outcome, payload::jsonb ->> 'reason' AS reason
         FROM audit.entry WHERE payload::jsonb ->> 'resourceId' = $1`,
      [missingId],
    );
    expect(audited).toEqual([{ outcome: 'deny', reason: 'denied:not-found' }]);

    // A change of a missing appointment is decided and audited too.
    const cancel = await t.gql(
      outsider,
      'mutation ($id: ID!, $k: String!) { cancelAppointment(id: $id, idempotencyKey: $k) { id } }',
      { id: missingId, k: key() },
    );
    expect(cancel.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const after = await t.sql(
      `SELECT 1 FROM audit.entry WHERE payload::jsonb ->> 'resourceId' = $1`,
      [missingId],
    );
    expect(after).toHaveLength(2);
  });
});

describe('#17 idempotency keys', () => {
  it('#17 one caller’s key is its own per patient: the same key books for two patients', async () => {
    const scheduler = await t.token('scheduler');
    const shared = key();
    const first = await book(scheduler, t.demo.patientId, shared);
    const second = await book(scheduler, t.demo.otherPatientId, shared);
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    expect(second.data!.bookAppointment.patient.id).toBe(t.demo.otherPatientId);
    expect(second.data!.bookAppointment.id).not.toBe(first.data!.bookAppointment.id);
    const owners = await t.sql<{ principal: string }>(
      'SELECT principal FROM scheduling.idempotency_key WHERE key = $1 ORDER BY created_at',
      [shared],
    );
    expect(owners.map((o) => JSON.parse(o.principal) as string[])).toEqual([
      ['carefed-dev-console', 'dev-scheduler', t.demo.patientId],
      ['carefed-dev-console', 'dev-scheduler', t.demo.otherPatientId],
    ]);
  });

  it('#17 a retry for the same patient still replays the first answer', async () => {
    const scheduler = await t.token('scheduler');
    const k = key();
    const start = await slot();
    const first = await book(scheduler, t.demo.patientId, k, start);
    const retry = await book(scheduler, t.demo.patientId, k, start);
    expect(retry.errors).toBeUndefined();
    expect(retry.data!.bookAppointment.id).toBe(first.data!.bookAppointment.id);
  });
});

describe('#23 access decided inside the write transaction', () => {
  it('#23 a deny committed between the request and its write refuses the write', async () => {
    const patientId = await teamPatient();
    const token = await clinician();
    // At the last moment before the write's transaction opens, the patient denies the clinician
    // and the deny reaches scheduling's projection.
    onPause('audited-write:before-transaction', async () => {
      await denyClinician(patientId);
      await waitFor('scheduling projects the deny', () => projectedDeny('scheduling', patientId));
    });
    const r = await book(token, patientId);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(
      await t.sql('SELECT 1 FROM scheduling.appointment WHERE patient_id = $1', [patientId]),
    ).toHaveLength(0);
    const [audit] = await t.sql<{ reason: string }>(
      `SELECT payload::jsonb ->> 'reason' AS reason FROM audit.entry
        WHERE patient_id = $1 AND payload::jsonb ->> 'resourceType' = 'Appointment'`,
      [patientId],
    );
    expect(audit?.reason).toBe('denied:consent');
  });

  it('#23 a fact for a patient whose write is deciding waits for that write to commit', async () => {
    const patientId = await teamPatient();
    // What a write's decision holds until it commits: the patient's facts lock, shared.
    const writer = new pg.Client({ connectionString: t.db.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(
        `SELECT pg_advisory_xact_lock_shared(hashtextextended('scheduling:access-facts:' || lower($1), 0))`,
        [patientId],
      );
      await denyClinician(patientId);
      // Billing (not held) applies the deny; scheduling's projection waits on the held lock.
      await waitFor('billing projects the deny', () => projectedDeny('billing', patientId));
      await new Promise((r) => setTimeout(r, 500));
      expect(await projectedDeny('scheduling', patientId)).toBe(false);
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    await waitFor('scheduling projects the deny once the write commits', () =>
      projectedDeny('scheduling', patientId),
    );
  });
});

describe('#7 access facts travel in their own queue, and stale projections refuse PHI', () => {
  it('#7 access-fact jobs queue serially per consumer at a higher priority than other work', async () => {
    const patientId = await teamPatient();
    // The patient's registration and care-team events drain first (a loaded machine may still
    // be delivering them): only the deny's job is then queued behind the hold.
    const pendingOf = async () =>
      (
        await t.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM graphile_worker._private_jobs j
             JOIN graphile_worker._private_tasks t ON t.id = j.task_id
            WHERE t.identifier = 'billing:access-facts' AND j.payload::jsonb -> 'data' ->> 'patientId' = $1`,
          [patientId],
        )
      )[0]!.n;
    for (let i = 0; i < 200 && (await pendingOf()) > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    await t.sql(
      `UPDATE graphile_worker._private_job_queues SET locked_at = now(), locked_by = 'test-hold'
        WHERE queue_name = 'billing:access-facts'`,
    );
    try {
      await denyClinician(patientId);
      const jobs = await t.sql<{ queue_name: string; priority: number }>(
        `SELECT q.queue_name, j.priority FROM graphile_worker._private_jobs j
           JOIN graphile_worker._private_tasks t ON t.id = j.task_id
           JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
          WHERE t.identifier = 'billing:access-facts' AND j.payload::jsonb -> 'data' ->> 'patientId' = $1`,
        [patientId],
      );
      expect(jobs).toEqual([{ queue_name: 'billing:access-facts', priority: -10 }]);
    } finally {
      await t.sql(
        `UPDATE graphile_worker._private_job_queues SET locked_at = NULL, locked_by = NULL
          WHERE queue_name = 'billing:access-facts'`,
      );
    }
  });

  it(`#7 with the access-fact consumer stopped, a denied record stops being served within ${MAX_LAG_MS} ms`, async () => {
    const patientId = await teamPatient();
    const token = await clinician();
    const booked = await book(await t.token('scheduler'), patientId);
    expect(booked.errors).toBeUndefined();
    const id = booked.data!.bookAppointment.id;
    const read = () => t.gql(token, 'query ($id: ID!) { appointment(id: $id) { id } }', { id });
    expect((await read()).errors).toBeUndefined();

    // Scheduling's access-fact consumer stops (its queue held as a dead worker would hold it).
    await t.sql(
      `UPDATE graphile_worker._private_job_queues SET locked_at = now(), locked_by = 'test-stopped'
        WHERE queue_name = 'scheduling:access-facts'`,
    );
    try {
      await denyClinician(patientId);
      const deniedAt = Date.now();
      let served = 0;
      let refusal: { code?: unknown; reason?: unknown } | undefined;
      await waitFor('scheduling refuses the stale record', async () => {
        const r = await read();
        if (!r.errors) {
          served = Date.now();
          return false;
        }
        refusal = r.errors[0]?.extensions;
        return true;
      });
      expect(refusal).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'ACCESS_FACTS_STALE' });
      // Served at most until the bound (plus one heartbeat and the polling step), never after.
      if (served) expect(served - deniedAt).toBeLessThan(MAX_LAG_MS + 1500);
      for (let i = 0; i < 3; i++)
        expect((await read()).errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(await projectedDeny('scheduling', patientId)).toBe(false);
    } finally {
      await t.sql(
        `UPDATE graphile_worker._private_job_queues SET locked_at = NULL, locked_by = NULL
          WHERE queue_name = 'scheduling:access-facts'`,
      );
    }
    // The consumer back: the deny and a fresh heartbeat arrive, and the answer is the deny.
    await waitFor('scheduling applies the deny', () => projectedDeny('scheduling', patientId));
    await waitFor('scheduling is fresh again', async () => {
      const r = await read();
      return r.errors?.[0]?.extensions?.code === 'FORBIDDEN';
    });
  });
});
