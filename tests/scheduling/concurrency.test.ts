import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, untilKnown, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Double booking under load: many callers race for a few slots of one
 * practitioner through the gateway. The exclusion constraint decides; every
 * loser hears SLOT_TAKEN with the next free slots; every acknowledged booking
 * is real. Idempotency keys make a retried booking happen once.
 */
let t: TestStack;
let admin: string;
let scheduler: string;
let patientIds: string[] = [];
let practitionerIds: string[] = [];

const ATTEMPTS = 500;
const SLOTS = 20;
const IN_FLIGHT = 50;
const EXTRA_PATIENTS = 17;

interface Slot {
  start: string;
  end: string;
}

interface Booked {
  id: string;
  status: string;
  start: string;
  practitionerId: string;
}

const BOOK = /* GraphQL */ `
  mutation ($i: BookAppointmentInput!) {
    bookAppointment(input: $i) {
      id
      status
      start
      practitionerId
    }
  }
`;

/** Runs `jobs` with at most `limit` in flight; results in job order. */
async function bounded<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

async function slotsOf(practitionerId: string, first: number, daysAhead = 1): Promise<Slot[]> {
  const from = new Date(Date.now() + daysAhead * 86_400_000).toISOString();
  const to = new Date(Date.now() + (daysAhead + 30) * 86_400_000).toISOString();
  const r = await t.gql<{ availableSlots: Slot[] }>(
    admin,
    /* GraphQL */ `
      query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!, $n: Int!) {
        availableSlots(practitionerId: $p, from: $from, to: $to, first: $n) {
          start
          end
        }
      }
    `,
    { p: practitionerId, from, to, n: first },
  );
  expect(r.errors).toBeUndefined();
  expect(r.data!.availableSlots.length).toBe(first);
  return r.data!.availableSlots;
}

beforeAll(async () => {
  t = await startTestStack('sched-concurrency');
  admin = await t.token('admin');
  scheduler = await t.token('scheduler');
  const created = await Promise.all(
    Array.from({ length: EXTRA_PATIENTS }, async (_, i) => {
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
            mrn: `RACE-${i}`,
            name: { family: 'Race', given: [`R${i}`] },
            birthDate: '1984-02-03',
            gender: i % 2 ? 'male' : 'female',
          },
        },
      );
      expect(r.errors).toBeUndefined();
      return r.data!.createPatient.id;
    }),
  );
  await untilKnown(t, created);
  patientIds = [...t.stack.seed!.patientIds, ...created];
  expect(patientIds.length).toBe(13 + EXTRA_PATIENTS);
  const ps = await t.gql<{ practitioners: { id: string }[] }>(admin, '{ practitioners { id } }');
  practitionerIds = ps.data!.practitioners.map((p) => p.id);
  expect(practitionerIds.length).toBeGreaterThanOrEqual(3);
});
afterAll(() => t?.stop());

/** Booked, arrived or fulfilled appointments of one practitioner that overlap another. */
async function overlaps(practitionerId: string) {
  return t.sql(
    `select a.id, b.id as other from scheduling.appointment a
       join scheduling.appointment b
         on a.practitioner_id = b.practitioner_id and a.id < b.id
        and tstzrange(a.starts_at, a.ends_at, '[)') && tstzrange(b.starts_at, b.ends_at, '[)')
      where a.practitioner_id = $1
        and a.status in ('booked', 'arrived', 'fulfilled')
        and b.status in ('booked', 'arrived', 'fulfilled')`,
    [practitionerId],
  );
}

describe('500 concurrent bookings of 20 slots', () => {
  it('books each slot once; every loser gets SLOT_TAKEN with next free slots; no 5xx', async () => {
    const practitionerId = practitionerIds[0]!;
    const slots = await slotsOf(practitionerId, SLOTS);
    const attempts = Array.from({ length: ATTEMPTS }, (_, i) => ({
      token: i % 2 ? scheduler : admin,
      slot: slots[(i * 7) % SLOTS]!,
      patientId: patientIds[i % patientIds.length]!,
      key: `race-${i.toString().padStart(4, '0')}-${Date.now()}`,
    }));

    const started = performance.now();
    const results = await bounded(
      attempts.map(
        (a) => () =>
          t.gql<{ bookAppointment: Booked }>(a.token, BOOK, {
            i: {
              patientId: a.patientId,
              practitionerId,
              start: a.slot.start,
              reason: 'Race check',
              idempotencyKey: a.key,
            },
          }),
      ),
      IN_FLIGHT,
    );
    const ms = Math.round(performance.now() - started);
    console.log(
      `${ATTEMPTS} booking attempts for ${SLOTS} slots, ${IN_FLIGHT} in flight: ${ms} ms`,
    );

    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const acknowledged = results
      .map((r, i) => ({ r, a: attempts[i]! }))
      .filter(({ r }) => r.data?.bookAppointment);
    const refused = results
      .map((r, i) => ({ r, a: attempts[i]! }))
      .filter(({ r }) => !r.data?.bookAppointment);
    const codes = refused.map(({ r }) => r.errors?.[0]?.extensions?.code);
    expect(codes.filter((c) => c !== 'SLOT_TAKEN')).toEqual([]);
    expect(acknowledged.length).toBe(SLOTS);
    expect(refused.length).toBe(ATTEMPTS - SLOTS);

    // One winner per slot, each answer consistent with its request.
    expect(new Set(acknowledged.map(({ a }) => a.slot.start)).size).toBe(SLOTS);
    for (const { r, a } of acknowledged) {
      expect(r.errors).toBeUndefined();
      expect(r.data!.bookAppointment).toMatchObject({
        status: 'booked',
        start: a.slot.start,
        practitionerId,
      });
    }

    // Every refusal offers later free slots.
    for (const { r, a } of refused) {
      const err = r.errors![0]!;
      expect(r.data?.bookAppointment ?? null).toBeNull();
      const next = err.extensions!.nextFreeSlots as Slot[] | undefined;
      expect(Array.isArray(next)).toBe(true);
      expect(next!.length).toBeGreaterThan(0);
      for (const s of next!) expect(Date.parse(s.start)).toBeGreaterThan(Date.parse(a.slot.start));
    }

    expect(await overlaps(practitionerId)).toEqual([]);
    const rows = await t.sql<{ id: string; patient_id: string; starts_at: Date }>(
      `select id, patient_id, starts_at from scheduling.appointment
        where practitioner_id = $1 and status in ('booked', 'arrived', 'fulfilled')`,
      [practitionerId],
    );
    expect(rows.length).toBe(SLOTS);
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const { r, a } of acknowledged) {
      const row = byId.get(r.data!.bookAppointment.id);
      expect(row).toBeDefined();
      expect(row!.patient_id).toBe(a.patientId);
      expect(row!.starts_at.toISOString()).toBe(a.slot.start);
    }
    // Nothing but the winners was written: no stray rows in any status.
    const [{ n }] = (await t.sql<{ n: string }>(
      'select count(*) n from scheduling.appointment where practitioner_id = $1',
      [practitionerId],
    )) as [{ n: string }];
    expect(Number(n)).toBe(SLOTS);
  }, 90_000);
});

describe('idempotency keys', () => {
  async function bookingOf(id: string) {
    const [appointments, audits, outbox] = await Promise.all([
      t.sql('select id from scheduling.appointment where id = $1', [id]),
      t.sql(
        `select seq from audit.entry
          where payload::jsonb ->> 'resourceType' = 'Appointment'
            and payload::jsonb ->> 'action' = 'create'
            and payload::jsonb ->> 'resourceId' = $1`,
        [id],
      ),
      t.sql(
        `select id from scheduling.outbox where aggregate_id = $1 and type = 'appointment.booked'`,
        [id],
      ),
    ]);
    return { appointments: appointments.length, audits: audits.length, outbox: outbox.length };
  }

  it('the same key sent 10 times at once books once, audits one create, publishes one event', async () => {
    const practitionerId = practitionerIds[1]!;
    const [slot, other] = await slotsOf(practitionerId, 2);
    const key = `same-key-${Date.now()}`;
    const input = {
      patientId: t.demo.patientId,
      practitionerId,
      start: slot!.start,
      reason: 'Follow-up',
      idempotencyKey: key,
    };
    const results: GqlResponse<{ bookAppointment: Booked }>[] = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.gql<{ bookAppointment: Booked }>(admin, BOOK, { i: input }),
      ),
    );
    for (const r of results) {
      expect(r.status).toBeLessThan(500);
      expect(r.errors).toBeUndefined();
    }
    const ids = new Set(results.map((r) => r.data!.bookAppointment.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];

    const rows = await t.sql(
      `select id from scheduling.appointment where practitioner_id = $1 and patient_id = $2`,
      [practitionerId, t.demo.patientId],
    );
    expect(rows).toEqual([{ id }]);
    expect(await bookingOf(id)).toEqual({ appointments: 1, audits: 1, outbox: 1 });

    // The same key for another slot is a different request: CONFLICT, nothing written.
    const before = await t.sql('select id from scheduling.appointment order by id');
    const conflict = await t.gql(admin, BOOK, { i: { ...input, start: other!.start } });
    expect(conflict.status).toBeLessThan(500);
    expect(conflict.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(conflict.data?.bookAppointment ?? null).toBeNull();
    expect(await t.sql('select id from scheduling.appointment order by id')).toEqual(before);
    expect(await bookingOf(id)).toEqual({ appointments: 1, audits: 1, outbox: 1 });
  });
});
