import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../platform/identity/principal.js';
import {
  demoOverrides,
  startTestStack,
  untilKnown,
  type GqlResponse,
  type TestStack,
} from '../support/stack.js';
import {
  accessMatrix,
  outcome as matrixOutcome,
  type MatrixOperation,
  type Outcome,
} from '../support/access-matrix.js';
import { textPartnerClients } from '../support/clients.js';

/**
 * Every query and mutation of the scheduling subgraph under every role,
 * through the gateway, against subgraphs/scheduling/permissions.ts and
 * access.ts: who reaches which appointments, the status rules, reschedules,
 * consent arriving by event, and bad input that writes nothing.
 */
let t: TestStack;
let admin: string;
/** The demo practitioner (the clinician token's) and one not on the demo patient's care team. */
let P1: string;
let P2: string;
/** A patient with no appointment with P1, ever. */
let stranger: string;
/** Fixtures: the demo patient with P1 and with P2; the stranger with P2. */
let own: string;
let seen: string;
let foreign: string;
let ownLocalDate: string;
const REASON = 'Knee pain follow-up';

const ROLES: Role[] = [
  'patient',
  'clinician',
  'scheduler',
  'pharmacist',
  'billing',
  'researcher',
  'admin',
  'auditor',
  'partner',
];

/** The practitioner directory: every role but researchers, who reach open data only. */
const DIRECTORY: Role[] = ROLES.filter((r) => r !== 'researcher');

interface Slot {
  start: string;
  end: string;
}

interface AppointmentView {
  id: string;
  status: string;
  start: string;
  version: number;
  localStart: string;
  reason?: string | null;
}

const free: Record<string, Slot[]> = {};

async function tokenFor(role: Role): Promise<string> {
  const overrides = demoOverrides(t) as Partial<Record<Role, object>>;
  return t.token(role, overrides[role] ?? {});
}

const key = () => `k-${randomBytes(8).toString('hex')}`;

async function loadSlots(practitionerId: string): Promise<void> {
  const r = await t.gql<{ availableSlots: Slot[] }>(
    admin,
    /* GraphQL */ `
      query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
        availableSlots(practitionerId: $p, from: $from, to: $to, first: 200) {
          start
          end
        }
      }
    `,
    {
      p: practitionerId,
      from: new Date(Date.now() + 86_400_000).toISOString(),
      to: new Date(Date.now() + 31 * 86_400_000).toISOString(),
    },
  );
  expect(r.errors).toBeUndefined();
  free[practitionerId] = r.data!.availableSlots;
}

/** The next unused slot of a practitioner (this file books nothing else on them). */
function nextSlot(practitionerId: string): Slot {
  const slot = free[practitionerId]!.shift();
  if (!slot) throw new Error('out of slots');
  return slot;
}

const BOOK = /* GraphQL */ `
  mutation ($i: BookAppointmentInput!) {
    bookAppointment(input: $i) {
      id
      status
      start
      version
      localStart
    }
  }
`;

async function book(
  token: string,
  patientId: string,
  practitionerId: string,
  extra: Record<string, unknown> = {},
): Promise<GqlResponse<{ bookAppointment: AppointmentView }>> {
  return t.gql<{ bookAppointment: AppointmentView }>(token, BOOK, {
    i: {
      patientId,
      practitionerId,
      start: nextSlot(practitionerId).start,
      idempotencyKey: key(),
      ...extra,
    },
  });
}

/** Books as admin and returns the appointment. */
async function booked(
  patientId: string,
  practitionerId = P1,
  extra: Record<string, unknown> = {},
): Promise<AppointmentView> {
  const r = await book(admin, patientId, practitionerId, extra);
  expect(r.errors).toBeUndefined();
  return r.data!.bookAppointment;
}

const MOVE = (op: string) => /* GraphQL */ `
  mutation ($id: ID!, $k: String!) {
    ${op}(id: $id, idempotencyKey: $k) {
      id
      status
      version
    }
  }
`;

async function move(token: string, op: string, id: string) {
  return t.gql<Record<string, AppointmentView>>(token, MOVE(op), { id, k: key() });
}

const RESCHEDULE = /* GraphQL */ `
  mutation ($id: ID!, $s: DateTimeISO!, $k: String!) {
    rescheduleAppointment(id: $id, start: $s, idempotencyKey: $k) {
      id
      status
      start
      version
    }
  }
`;

async function statusOf(id: string): Promise<{ status: string; starts_at: Date; version: number }> {
  const [row] = await t.sql<{ status: string; starts_at: Date; version: number }>(
    'select status, starts_at, version from scheduling.appointment where id = $1',
    [id],
  );
  return row!;
}

async function createPatient(tag: string): Promise<string> {
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
        mrn: `SA-${tag}-${randomBytes(3).toString('hex')}`,
        name: { family: 'Access', given: [tag] },
        birthDate: '1970-07-07',
        gender: 'other',
      },
    },
  );
  expect(r.errors).toBeUndefined();
  await untilKnown(t, [r.data!.createPatient.id]);
  return r.data!.createPatient.id;
}

beforeAll(async () => {
  t = await startTestStack('sched-access', textPartnerClients(['partner-demo-app']));
  admin = await t.token('admin');
  P1 = t.demo.practitionerId;
  P2 = t.demo.otherPractitionerId;
  await loadSlots(P1);
  await loadSlots(P2);
  stranger = await createPatient('stranger');
  const o = await booked(t.demo.patientId, P1, { reason: REASON });
  own = o.id;
  ownLocalDate = o.localStart.slice(0, 10);
  seen = (await booked(t.demo.patientId, P2)).id;
  foreign = (await booked(stranger, P2)).id;
});
afterAll(() => t?.stop());

const outcome = (r: GqlResponse<Record<string, unknown>>, field: string): Outcome =>
  matrixOutcome(r, r.data?.[field]);

type Operation = MatrixOperation<Role>;

const PHI_ROLES: Role[] = ['patient', 'clinician', 'scheduler', 'admin'];
// Billing staff read visits to bill them (never the reason), and change none.
const READERS: Role[] = [...PHI_ROLES, 'billing'];

/** A mutation on a fresh appointment of the demo patient with P1; checks the row after. */
function transitionOp(
  op: string,
  allowed: Role[],
  from: 'booked' | 'arrived',
  to: string,
): Operation {
  return {
    name: op,
    allowed,
    run: async (tok, role) => {
      const a = await booked(t.demo.patientId);
      if (from === 'arrived') expect((await move(admin, 'checkIn', a.id)).errors).toBeUndefined();
      const result = outcome(await move(tok, op, a.id), op);
      expect((await statusOf(a.id)).status).toBe(allowed.includes(role) ? to : from);
      return result;
    },
  };
}

const OPERATIONS: Operation[] = [
  {
    name: 'availableSlots',
    allowed: PHI_ROLES,
    run: async (tok) =>
      outcome(
        await t.gql(
          tok,
          /* GraphQL */ `
            query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
              availableSlots(practitionerId: $p, from: $from, to: $to, first: 3) {
                start
                practitioner {
                  id
                }
              }
            }
          `,
          {
            p: P1,
            from: new Date(Date.now() + 86_400_000).toISOString(),
            to: new Date(Date.now() + 8 * 86_400_000).toISOString(),
          },
        ),
        'availableSlots',
      ),
  },
  {
    name: 'practitioner',
    allowed: DIRECTORY,
    run: async (tok) =>
      outcome(
        await t.gql(tok, `{ practitioner(id: "${P1}") { id name { text } specialties } }`),
        'practitioner',
      ),
  },
  {
    name: 'practitioners',
    allowed: DIRECTORY,
    run: async (tok) => outcome(await t.gql(tok, '{ practitioners { id npi } }'), 'practitioners'),
  },
  {
    name: 'appointment(id)',
    allowed: READERS,
    run: async (tok) => {
      const r = await t.gql<{ appointment: { id: string } }>(
        tok,
        `{ appointment(id: "${own}") { id status start practitioner { id } } }`,
      );
      const o = outcome(r, 'appointment');
      if (o.ok) expect(r.data!.appointment.id).toBe(own);
      return o;
    },
  },
  {
    name: 'practitionerDay',
    allowed: ['clinician', 'scheduler', 'admin'],
    run: async (tok) => {
      const r = await t.gql<{ practitionerDay: { id: string }[] }>(
        tok,
        `{ practitionerDay(practitionerId: "${P1}", date: "${ownLocalDate}") { id localStart } }`,
      );
      const o = outcome(r, 'practitionerDay');
      if (o.ok) expect(r.data!.practitionerDay.map((a) => a.id)).toContain(own);
      return o;
    },
  },
  {
    name: 'Patient.appointments',
    allowed: READERS,
    run: async (tok) => {
      const r = await t.gql<{ patient: { appointments: { edges: { node: { id: string } }[] } } }>(
        tok,
        `{ patient(id: "${t.demo.patientId}") { id appointments(first: 100) { edges { node { id status } } } } }`,
      );
      expect(r.status).toBeLessThan(500);
      const conn = r.data?.patient?.appointments;
      if (conn && !r.errors?.length)
        expect(conn.edges.map((e) => e.node.id)).toEqual(expect.arrayContaining([own, seen]));
      return { ok: !!conn && !r.errors?.length, code: r.errors?.[0]?.extensions?.code };
    },
  },
  {
    name: 'bookAppointment',
    allowed: PHI_ROLES,
    run: async (tok) => {
      const [before] = await t.sql<{ n: string }>('select count(*) n from scheduling.appointment');
      const o = outcome(await book(tok, t.demo.patientId, P1), 'bookAppointment');
      const [after] = await t.sql<{ n: string }>('select count(*) n from scheduling.appointment');
      expect(Number(after!.n) - Number(before!.n)).toBe(o.ok ? 1 : 0);
      return o;
    },
  },
  {
    name: 'rescheduleAppointment',
    allowed: PHI_ROLES,
    run: async (tok, role) => {
      const a = await booked(t.demo.patientId);
      const target = nextSlot(P1);
      const o = outcome(
        await t.gql(tok, RESCHEDULE, { id: a.id, s: target.start, k: key() }),
        'rescheduleAppointment',
      );
      const row = await statusOf(a.id);
      expect(row.starts_at.toISOString()).toBe(PHI_ROLES.includes(role) ? target.start : a.start);
      return o;
    },
  },
  transitionOp('cancelAppointment', PHI_ROLES, 'booked', 'cancelled'),
  transitionOp('checkIn', ['clinician', 'scheduler', 'admin'], 'booked', 'arrived'),
  transitionOp('completeAppointment', ['clinician', 'admin'], 'arrived', 'fulfilled'),
  transitionOp('markNoShow', ['clinician', 'scheduler', 'admin'], 'booked', 'noshow'),
];

accessMatrix('scheduling access matrix (through the gateway)', ROLES, OPERATIONS, tokenFor);

async function readAppointment(token: string, id: string) {
  return t.gql<{ appointment: AppointmentView | null }>(
    token,
    `{ appointment(id: "${id}") { id status reason } }`,
  );
}

describe('who reaches which appointments', () => {
  it('a patient cannot book for another patient', async () => {
    const patient = await tokenFor('patient');
    const before = await t.sql('select id from scheduling.appointment order by id');
    const r = await book(patient, stranger, P1);
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(r.data?.bookAppointment ?? null).toBeNull();
    expect(await t.sql('select id from scheduling.appointment order by id')).toEqual(before);
  });

  it("a patient cannot read another patient's appointment; a missing id gives the identical error", async () => {
    const patient = await tokenFor('patient');
    const other = await readAppointment(patient, foreign);
    const missing = await readAppointment(patient, randomUUID());
    for (const r of [other, missing]) {
      expect(r.status).toBeLessThan(500);
      expect(r.data?.appointment ?? null).toBeNull();
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(other.errors![0]!.message).toBe(missing.errors![0]!.message);
    expect(other.errors![0]!.extensions).toEqual(missing.errors![0]!.extensions);
    // Their own, with the practitioner they do not see on their care team, is fine.
    const mine = await readAppointment(patient, seen);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.appointment!.id).toBe(seen);
  });

  it("a patient cannot change another patient's appointment", async () => {
    const patient = await tokenFor('patient');
    const cancel = await move(patient, 'cancelAppointment', foreign);
    expect(cancel.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const r = await t.gql(patient, RESCHEDULE, { id: foreign, s: nextSlot(P2).start, k: key() });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await statusOf(foreign)).status).toBe('booked');
  });

  it("a patient's list of another patient's appointments is refused", async () => {
    const patient = await tokenFor('patient');
    const r = await t.gql<{ patient: { appointments: { edges: unknown[] } } | null }>(
      patient,
      `{ patient(id: "${stranger}") { id appointments { edges { node { id } } } } }`,
    );
    expect(r.status).toBeLessThan(500);
    expect(r.data?.patient ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a clinician reaches appointments with them', async () => {
    const r = await readAppointment(await tokenFor('clinician'), own);
    expect(r.errors).toBeUndefined();
    expect(r.data!.appointment).toMatchObject({ id: own, reason: REASON });
  });

  it('a clinician reaches the appointments (with others) of a patient who has one with them', async () => {
    const r = await readAppointment(await tokenFor('clinician'), seen);
    expect(r.errors).toBeUndefined();
    expect(r.data!.appointment!.id).toBe(seen);
  });

  it("a clinician does not reach other patients' appointments, nor change or book them", async () => {
    const clinician = await tokenFor('clinician');
    const notMine = await readAppointment(clinician, foreign);
    expect(notMine.data?.appointment ?? null).toBeNull();
    expect(notMine.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const missing = await readAppointment(clinician, randomUUID());
    expect(missing.errors?.[0]?.message).toBe(notMine.errors?.[0]?.message);
    expect((await move(clinician, 'checkIn', foreign)).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
    expect((await book(clinician, stranger, P2)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await statusOf(foreign)).status).toBe('booked');
  });

  it("a clinician may list only their own day; another practitioner's day is FORBIDDEN", async () => {
    const clinician = await tokenFor('clinician');
    const r = await t.gql(
      clinician,
      `{ practitionerDay(practitionerId: "${P2}", date: "${ownLocalDate}") { id } }`,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(r.data?.practitionerDay ?? null).toBeNull();
  });

  it('the front desk and admins reach everyone', async () => {
    for (const role of ['scheduler', 'admin'] as const) {
      const r = await readAppointment(await tokenFor(role), foreign);
      expect(r.data!.appointment!.id).toBe(foreign);
    }
  });

  it('Appointment.reason is hidden from the front desk and billing, shown to patient, clinician and admin', async () => {
    for (const role of ['scheduler', 'billing'] as const) {
      const desk = await readAppointment(await tokenFor(role), own);
      expect(desk.status).toBeLessThan(500);
      expect(desk.data!.appointment).toMatchObject({ id: own, status: 'booked', reason: null });
      expect(desk.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
        [['appointment', 'reason'], 'FORBIDDEN'],
      ]);
    }
    for (const role of ['patient', 'clinician', 'admin'] as const) {
      const r = await readAppointment(await tokenFor(role), own);
      expect(r.errors).toBeUndefined();
      expect(r.data!.appointment!.reason).toBe(REASON);
    }
  });
});

describe('status transitions', () => {
  async function expectInvalid(op: string, id: string, from: string) {
    const before = await statusOf(id);
    const r = await move(admin, op, id);
    expect(r.status).toBeLessThan(500);
    expect(r.data?.[op] ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_TRANSITION');
    expect(r.errors?.[0]?.extensions?.from).toBe(from);
    expect(await statusOf(id)).toEqual(before);
  }

  it('booked → arrived → fulfilled; then cancel is INVALID_TRANSITION', async () => {
    const a = await booked(t.demo.patientId);
    expect(a).toMatchObject({ status: 'booked', version: 1 });
    const arrived = await move(admin, 'checkIn', a.id);
    expect(arrived.data!.checkIn).toMatchObject({ status: 'arrived', version: 2 });
    const done = await move(admin, 'completeAppointment', a.id);
    expect(done.data!.completeAppointment).toMatchObject({ status: 'fulfilled', version: 3 });
    await expectInvalid('cancelAppointment', a.id, 'fulfilled');
    await expectInvalid('checkIn', a.id, 'fulfilled');
    await expectInvalid('markNoShow', a.id, 'fulfilled');
    const versions = await t.sql<{ version: number; status: string }>(
      'select version, status from scheduling.appointment_version where appointment_id = $1 order by version',
      [a.id],
    );
    expect(versions).toEqual([
      { version: 1, status: 'booked' },
      { version: 2, status: 'arrived' },
      { version: 3, status: 'fulfilled' },
    ]);
  });

  it('booked → fulfilled is INVALID_TRANSITION', async () => {
    const a = await booked(t.demo.patientId);
    await expectInvalid('completeAppointment', a.id, 'booked');
  });

  it('noshow only from booked', async () => {
    const a = await booked(t.demo.patientId);
    expect((await move(admin, 'markNoShow', a.id)).data!.markNoShow!.status).toBe('noshow');
    await expectInvalid('checkIn', a.id, 'noshow');
    await expectInvalid('cancelAppointment', a.id, 'noshow');

    const arrived = await booked(t.demo.patientId);
    await move(admin, 'checkIn', arrived.id);
    await expectInvalid('markNoShow', arrived.id, 'arrived');

    const cancelled = await booked(t.demo.patientId);
    await move(admin, 'cancelAppointment', cancelled.id);
    await expectInvalid('markNoShow', cancelled.id, 'cancelled');
  });

  it('a cancelled slot is free again', async () => {
    const a = await booked(t.demo.patientId);
    await move(admin, 'cancelAppointment', a.id);
    const retake = await t.gql<{ bookAppointment: AppointmentView }>(admin, BOOK, {
      i: { patientId: t.demo.patientId, practitionerId: P1, start: a.start, idempotencyKey: key() },
    });
    expect(retake.errors).toBeUndefined();
    expect(retake.data!.bookAppointment.start).toBe(a.start);
  });
});

describe('rescheduling', () => {
  it('to a taken slot is SLOT_TAKEN with next free slots, and changes nothing', async () => {
    const a = await booked(t.demo.patientId);
    const b = await booked(t.demo.patientId);
    const before = await statusOf(a.id);
    const r = await t.gql(admin, RESCHEDULE, { id: a.id, s: b.start, k: key() });
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.[0]?.extensions?.code).toBe('SLOT_TAKEN');
    const next = r.errors![0]!.extensions!.nextFreeSlots as Slot[];
    expect(next.length).toBeGreaterThan(0);
    expect(await statusOf(a.id)).toEqual(before);
  });

  it('to a time that is not a slot start is BAD_USER_INPUT, and changes nothing', async () => {
    const a = await booked(t.demo.patientId);
    const before = await statusOf(a.id);
    const target = nextSlot(P1);
    const offGrid = new Date(Date.parse(target.start) + 10 * 60_000).toISOString();
    // Local midnight of a slot day: outside opening hours.
    const midnight = new Date(Date.parse(`${ownLocalDate}T00:00:00-06:00`) + 7 * 86_400_000);
    const past = new Date(Date.now() - 7 * 86_400_000);
    past.setUTCMinutes(0, 0, 0);
    for (const s of [offGrid, midnight.toISOString(), past.toISOString()]) {
      const r = await t.gql(admin, RESCHEDULE, { id: a.id, s, k: key() });
      expect(r.status).toBeLessThan(500);
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await statusOf(a.id)).toEqual(before);
  });

  it('to a free slot moves it and bumps the version; an arrived one cannot move', async () => {
    const a = await booked(t.demo.patientId);
    const target = nextSlot(P1);
    const r = await t.gql<{ rescheduleAppointment: AppointmentView }>(admin, RESCHEDULE, {
      id: a.id,
      s: target.start,
      k: key(),
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.rescheduleAppointment).toMatchObject({ start: target.start, version: 2 });
    await move(admin, 'checkIn', a.id);
    const stuck = await t.gql(admin, RESCHEDULE, { id: a.id, s: nextSlot(P1).start, k: key() });
    expect(stuck.errors?.[0]?.extensions?.code).toBe('INVALID_TRANSITION');
    expect((await statusOf(a.id)).starts_at.toISOString()).toBe(target.start);
  });
});

describe('consent reaches scheduling through consent.changed', () => {
  async function clinicianSees(id: string): Promise<boolean | undefined> {
    const r = await readAppointment(await tokenFor('clinician'), id);
    if (r.data?.appointment?.id === id) return true;
    if (r.errors?.[0]?.extensions?.code === 'FORBIDDEN') return false;
    return undefined;
  }

  async function waitFor(what: () => Promise<boolean>, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (await what()) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return what();
  }

  it("a patient's deny of a clinician, recorded in the patient subgraph, closes their appointments to that clinician", async () => {
    const consenter = await createPatient('consenter');
    const a = await booked(consenter, P1);
    expect(await clinicianSees(a.id)).toBe(true);

    const patient = await t.token('patient', { patientId: consenter });
    const recorded = await t.gql<{ recordConsent: { id: string } }>(
      patient,
      /* GraphQL */ `
        mutation ($p: ID!, $pr: ID!) {
          recordConsent(
            patientId: $p
            input: {
              scope: treatment
              provisions: [{ type: deny, actors: [{ kind: practitioner, id: $pr }] }]
            }
          ) {
            id
          }
        }
      `,
      { p: consenter, pr: P1 },
    );
    expect(recorded.errors).toBeUndefined();
    const consentId = recorded.data!.recordConsent.id;

    const projected = await waitFor(async () => {
      const rows = await t.sql('select 1 from scheduling.consent_projection where id = $1', [
        consentId,
      ]);
      return rows.length === 1;
    }, 10_000);
    expect(projected, 'consent.changed never reached scheduling.consent_projection').toBe(true);
    expect(await clinicianSees(a.id)).toBe(false);
    // The patient still sees their own; the front desk is not named by the deny.
    expect((await readAppointment(patient, a.id)).data?.appointment?.id).toBe(a.id);
    expect((await readAppointment(await tokenFor('scheduler'), a.id)).data?.appointment?.id).toBe(
      a.id,
    );
    // Nor may the clinician change it.
    expect(
      (await move(await tokenFor('clinician'), 'checkIn', a.id)).errors?.[0]?.extensions?.code,
    ).toBe('FORBIDDEN');

    // Revoking it restores access once the change arrives.
    const revoked = await t.gql(
      patient,
      'mutation ($c: ID!) { revokeConsent(consentId: $c) { status } }',
      {
        c: consentId,
      },
    );
    expect(revoked.errors).toBeUndefined();
    expect(await waitFor(async () => (await clinicianSees(a.id)) === true, 10_000)).toBe(true);
  }, 40_000);
});

describe('bad input: BAD_USER_INPUT, no 500, nothing written', () => {
  async function counts() {
    const [row] = await t.sql(
      `select (select count(*) from scheduling.appointment) a,
              (select count(*) from scheduling.appointment_version) v,
              (select count(*) from scheduling.idempotency_key) k,
              (select count(*) from scheduling.outbox) o`,
    );
    return row;
  }

  async function expectBadInput(query: string, variables?: object) {
    const before = await counts();
    const r = await t.gql(admin, query, variables);
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(r.data ?? null)).not.toMatch(/"id"/);
    expect(await counts()).toEqual(before);
  }

  // A free slot kept for these requests: none of them may take it.
  let spare: Slot;
  beforeAll(() => {
    spare = nextSlot(P1);
  });

  const validBooking = () => ({
    patientId: t.demo.patientId,
    practitionerId: P1,
    start: spare.start,
    reason: 'Checkup',
    idempotencyKey: key(),
  });

  const BAD_BOOKINGS: [string, () => Record<string, unknown>][] = [
    ['a start that is not a date', () => ({ start: 'next tuesday' })],
    ['an impossible start date', () => ({ start: '2027-02-30T15:00:00Z' })],
    ['a start month 13', () => ({ start: '2027-13-01T15:00:00Z' })],
    ['a start in the past', () => ({ start: '2020-01-06T14:00:00Z' })],
    [
      'a start off the slot grid',
      () => ({ start: new Date(Date.parse(spare.start) + 60_000).toISOString() }),
    ],
    ['a reason over 500 characters', () => ({ reason: 'r'.repeat(501) })],
    ['an empty reason', () => ({ reason: '' })],
    ['an idempotency key too short', () => ({ idempotencyKey: 'short' })],
    ['an idempotency key too long', () => ({ idempotencyKey: 'k'.repeat(129) })],
    [
      'an idempotency key with SQL metacharacters',
      () => ({ idempotencyKey: "x'); DELETE FROM scheduling.appointment;--" }),
    ],
    ['an idempotency key with spaces', () => ({ idempotencyKey: 'key with spaces' })],
    ['an unknown input field', () => ({ priority: 'urgent' })],
    ['a patient id that is not a UUID', () => ({ patientId: "1' OR '1'='1" })],
    ['an unknown practitioner', () => ({ practitionerId: 'no-such-practitioner' })],
    ['an overlong practitioner id', () => ({ practitionerId: 'p'.repeat(65) })],
    ['a missing idempotency key', () => ({ idempotencyKey: undefined })],
    ['a start of the wrong type', () => ({ start: 20270101 })],
  ];

  for (const [what, change] of BAD_BOOKINGS) {
    it(`bookAppointment with ${what}`, async () => {
      await expectBadInput(BOOK, { i: { ...validBooking(), ...change() } });
    });
  }

  it('a reason of exactly 500 characters is accepted', async () => {
    const r = await book(admin, t.demo.patientId, P1, { reason: 'r'.repeat(500) });
    expect(r.errors).toBeUndefined();
  });

  describe.each(['cancelAppointment', 'checkIn', 'completeAppointment', 'markNoShow'])(
    '%s',
    (op) => {
      let id: string;
      beforeAll(async () => {
        id = (await booked(t.demo.patientId)).id;
      });
      afterAll(async () => {
        expect((await statusOf(id)).status).toBe('booked');
      });
      it.each([
        ['an id that is not a UUID', () => ({ id: "1' OR '1'='1", k: key() })],
        ['a key too short', () => ({ id, k: 'short' })],
        ['a key with SQL metacharacters', () => ({ id, k: "'; DROP TABLE x;--" })],
      ])('with %s', async (_what, vars) => {
        await expectBadInput(MOVE(op), vars());
      });
    },
  );

  describe('rescheduleAppointment', () => {
    let a: AppointmentView;
    beforeAll(async () => {
      a = await booked(t.demo.patientId);
    });
    afterAll(async () => {
      expect((await statusOf(a.id)).starts_at.toISOString()).toBe(a.start);
    });
    it.each([
      ['a start that is not a date', () => ({ id: a.id, s: 'yesterday', k: key() })],
      ['an impossible start', () => ({ id: a.id, s: '2027-02-30T15:00:00Z', k: key() })],
      ['a bad key', () => ({ id: a.id, s: spare.start, k: 'bad key!' })],
      ['an id that is not a UUID', () => ({ id: 'nope', s: spare.start, k: key() })],
    ])('with %s', async (_what, vars) => {
      await expectBadInput(RESCHEDULE, vars());
    });
  });

  const SLOTS = /* GraphQL */ `
    query ($p: ID, $from: DateTimeISO!, $to: DateTimeISO!, $n: Int) {
      availableSlots(practitionerId: $p, from: $from, to: $to, first: $n) {
        start
      }
    }
  `;
  const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

  it.each([
    ['a window over 31 days', { from: day(1), to: day(33) }],
    ['to equal to from', { from: day(2), to: day(2) }],
    ['to before from', { from: day(3), to: day(2) }],
    ['first 0', { from: day(1), to: day(2), n: 0 }],
    ['first 201', { from: day(1), to: day(2), n: 201 }],
    ['no practitioner, specialty or facility', { from: day(1), to: day(2), p: null }],
    ['an invalid from', { from: '2027-02-30T00:00:00Z', to: day(2) }],
    ['a from that is not a date', { from: 'soon', to: day(2) }],
  ])('availableSlots with %s', async (_what, vars) => {
    await expectBadInput(SLOTS, { p: P1, ...vars });
  });

  it.each([
    ['an impossible date', '2027-02-30'],
    ['month 13', '2027-13-01'],
    ['a date-time', '2027-01-04T00:00:00Z'],
    ['SQL metacharacters', "2027-01-04' OR '1'='1"],
  ])('practitionerDay with %s', async (_what, date) => {
    await expectBadInput(
      'query ($p: ID!, $d: String!) { practitionerDay(practitionerId: $p, date: $d) { id } }',
      { p: P1, d: date },
    );
  });

  it.each([
    ['an unknown status', { status: ['maybe'] }],
    ['an invalid from', { from: '2027-02-30T00:00:00Z' }],
    ['a page size over the limit', { first: 1000 }],
    ['a forged cursor', { after: 'not-a-cursor' }],
  ])('Patient.appointments with %s', async (_what, vars) => {
    await expectBadInput(
      /* GraphQL */ `
        query (
          $p: ID!
          $status: [AppointmentStatus!]
          $from: DateTimeISO
          $first: Int
          $after: String
        ) {
          patient(id: $p) {
            appointments(status: $status, from: $from, first: $first, after: $after) {
              edges {
                node {
                  id
                }
              }
            }
          }
        }
      `,
      { p: t.demo.patientId, ...vars },
    );
  });

  it('an appointment id that is not a UUID', async () => {
    await expectBadInput('{ appointment(id: "1 OR 1=1") { id } }');
  });
});
