import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPartnerClients } from '../support/clients.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Issue 11, items 1, 8, 9 and 14, replayed as the assessment ran them: through
 * the gateway over HTTP, with real tokens, against real SQL.
 */
let t: TestStack;
let patient: string;

const CONSOLE = 'carefed-dev-console';

beforeAll(async () => {
  t = await startTestStack('hardening-ps', {
    ...textPartnerClients([CONSOLE, 'partner-demo-app']),
    BOOKING_MAX_OPEN_PER_PATIENT: '3',
    BOOKING_MAX_OPEN_PER_CLIENT: '5',
  });
  patient = await t.token('patient', { patientId: t.demo.patientId, sub: 'hardening-patient' });
});
afterAll(() => t?.stop());

const auditReasons = async (reason: string): Promise<number> =>
  (
    await t.sql<{ n: string }>(
      `select count(*) as n from audit.entry where payload::jsonb ->> 'reason' = $1`,
      [reason],
    )
  ).map((r) => Number(r.n))[0] ?? 0;

const READ = 'query ($id: ID!) { patient(id: $id) { id } }';
const REVOKE = 'mutation ($c: ID!) { revokeConsent(consentId: $c) { id status } }';

async function recordConsent(token: string, patientId: string, input: object): Promise<string> {
  const r = await t.gql<{ recordConsent: { id: string } }>(
    token,
    'mutation ($p: ID!, $i: RecordConsentInput!) { recordConsent(patientId: $p, input: $i) { id } }',
    { p: patientId, i: input },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.recordConsent.id;
}

describe('#1 consent naming an actor', () => {
  it('#1 an app the patient blocked cannot revoke the block; the patient in person can', async () => {
    const a = t.demo.patientId;
    const app = await t.token('partner', {
      sub: CONSOLE,
      clientId: CONSOLE,
      patientId: a,
      scopes: ['patient/Patient.rs', 'patient/Consent.cruds'],
    });
    expect((await t.gql(app, READ, { id: a })).errors).toBeUndefined();
    const deny = await recordConsent(patient, a, {
      scope: 'patient_privacy',
      // As the assessment recorded it: the record is closed to the app, its consents are not.
      provisions: [
        { type: 'deny', actors: [{ kind: 'client', id: CONSOLE }], dataClasses: ['Patient'] },
      ],
    });
    expect((await t.gql(app, READ, { id: a })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const before = await auditReasons('denied:named-in-consent');
    const byApp = await t.gql(app, REVOKE, { c: deny });
    expect(byApp.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(byApp.data?.revokeConsent ?? null).toBeNull();
    expect(await auditReasons('denied:named-in-consent')).toBe(before + 1);
    // The block holds.
    expect((await t.gql(app, READ, { id: a })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The patient in person lifts it, even through the very client the deny names.
    const inPerson = await t.token('patient', {
      patientId: a,
      sub: 'hardening-patient',
      clientId: CONSOLE,
    });
    const byPatient = await t.gql<{ revokeConsent: { status: string } }>(inPerson, REVOKE, {
      c: deny,
    });
    expect(byPatient.errors).toBeUndefined();
    expect(byPatient.data?.revokeConsent.status).toBe('inactive');
    expect((await t.gql(app, READ, { id: a })).errors).toBeUndefined();
  });

  it('#1 nor can staff of an organisation the consent names; staff it does not name can', async () => {
    const a = t.demo.patientId;
    const deny = await recordConsent(patient, a, {
      scope: 'patient_privacy',
      provisions: [
        {
          type: 'deny',
          actors: [{ kind: 'organization', id: 'org-blocked' }],
          dataClasses: ['Patient'],
        },
      ],
    });
    const orgAdmin = await t.token('admin', {
      sub: 'hardening-org-admin',
      organizationId: 'org-blocked',
    });
    const before = await auditReasons('denied:named-in-consent');
    const r = await t.gql(orgAdmin, REVOKE, { c: deny });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await auditReasons('denied:named-in-consent')).toBe(before + 1);
    // An admin of another organisation, named nowhere, may (role and scope allow it).
    const otherAdmin = await t.token('admin', {
      sub: 'hardening-admin',
      organizationId: 'org-other',
    });
    const ok = await t.gql<{ revokeConsent: { status: string } }>(otherAdmin, REVOKE, { c: deny });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.revokeConsent.status).toBe('inactive');
  });
});

const SLOTS = /* GraphQL */ `
  query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!, $n: Int!) {
    availableSlots(practitionerId: $p, from: $from, to: $to, first: $n) {
      start
    }
  }
`;
const BOOK = /* GraphQL */ `
  mutation ($i: BookAppointmentInput!) {
    bookAppointment(input: $i) {
      id
      status
    }
  }
`;
const DAY = 86_400_000;

describe('#9 booking caps', () => {
  let starts: string[] = [];
  let n = 0;
  const nextStart = (): string => {
    const s = starts[n++];
    if (!s) throw new Error('ran out of free slots');
    return s;
  };
  const book = (token: string, patientId: string) =>
    t.gql<{ bookAppointment: { id: string; status: string } }>(token, BOOK, {
      i: {
        patientId,
        practitionerId: t.demo.practitionerId,
        start: nextStart(),
        idempotencyKey: `hardening-cap-${n}`,
      },
    });

  beforeAll(async () => {
    const admin = await t.token('admin', { sub: 'hardening-slots' });
    const from = new Date(Date.now() + 2 * DAY).toISOString();
    const to = new Date(Date.now() + 16 * DAY).toISOString();
    const r = await t.gql<{ availableSlots: { start: string }[] }>(admin, SLOTS, {
      p: t.demo.practitionerId,
      from,
      to,
      n: 40,
    });
    expect(r.errors).toBeUndefined();
    starts = r.data!.availableSlots.map((s) => s.start);
  });

  it('#9 a patient cannot book past the cap of open future bookings; staff can, and a cancellation frees a place', async () => {
    const a = t.demo.patientId;
    const booked: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await book(patient, a);
      expect(r.errors).toBeUndefined();
      booked.push(r.data!.bookAppointment.id);
    }
    const over = await book(patient, a);
    expect(over.errors?.[0]?.extensions).toMatchObject({
      code: 'BOOKING_LIMIT',
      scope: 'patient',
      limit: 3,
    });
    expect(over.data?.bookAppointment ?? null).toBeNull();
    const rows = await t.sql<{ n: string }>(
      `select count(*) as n from scheduling.appointment where patient_id = $1 and status = 'booked'`,
      [a],
    );
    expect(Number(rows[0]!.n)).toBe(3);

    // The front desk books a course of visits for a patient: not capped.
    const desk = await t.token('scheduler', { sub: 'hardening-desk' });
    const byDesk = await book(desk, a);
    expect(byDesk.errors).toBeUndefined();

    // Cancelling frees a place, but the patient still holds 4 (the desk's included).
    const cancel = await t.gql(
      patient,
      'mutation ($id: ID!) { cancelAppointment(id: $id, idempotencyKey: "hardening-cancel-1") { status } }',
      { id: booked[0] },
    );
    expect(cancel.errors).toBeUndefined();
    expect((await book(patient, a)).errors?.[0]?.extensions?.code).toBe('BOOKING_LIMIT');
    const cancel2 = await t.gql(
      patient,
      'mutation ($id: ID!) { cancelAppointment(id: $id, idempotencyKey: "hardening-cancel-2") { status } }',
      { id: booked[1] },
    );
    expect(cancel2.errors).toBeUndefined();
    const again = await book(patient, a);
    expect(again.errors).toBeUndefined();
    expect(again.data?.bookAppointment.status).toBe('booked');
  });

  it('#9 a partner app cannot book past its cap across the patients it acts for', async () => {
    const others = (
      await t.sql<{ id: string }>(
        'select id from patient.patient where id <> $1 order by id limit 3',
        [t.demo.patientId],
      )
    ).map((r) => r.id);
    expect(others).toHaveLength(3);
    const appFor = (patientId: string) =>
      t.token('partner', {
        sub: 'partner-demo-app',
        clientId: 'partner-demo-app',
        patientId,
        scopes: ['patient/Appointment.cruds', 'patient/Slot.rs'],
      });
    let made = 0;
    for (const [i, id] of others.entries()) {
      const app = await appFor(id);
      for (let k = 0; k < (i < 2 ? 2 : 1); k++) {
        const r = await book(app, id);
        expect(r.errors).toBeUndefined();
        made++;
      }
    }
    expect(made).toBe(5);
    const over = await book(await appFor(others[2]!), others[2]!);
    expect(over.errors?.[0]?.extensions).toMatchObject({
      code: 'BOOKING_LIMIT',
      scope: 'client',
      limit: 5,
    });
  });
});

describe('#8 slot searches', () => {
  const SPECIALTY = 'General Practice Physician';
  const month = () => {
    const from = new Date(Date.now() + DAY);
    return { from: from.toISOString(), to: new Date(from.getTime() + 31 * DAY).toISOString() };
  };

  it('#8 three aliased month-long searches by specialty with first: 200 exceed the cost limit', async () => {
    const desk = await t.token('scheduler', { sub: 'hardening-desk-slots' });
    const { from, to } = month();
    const alias = (n: string) =>
      `${n}: availableSlots(specialty: $s, from: $from, to: $to, first: 200) { start end practitioner { id } }`;
    const r = await t.gql(
      desk,
      `query ($s: String!, $from: DateTimeISO!, $to: DateTimeISO!) { ${alias('a')} ${alias('b')} ${alias('c')} }`,
      { s: SPECIALTY, from, to },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
    expect(r.data ?? null).toBeNull();
  });

  it('#8 one month-long search by specialty pages by time: earliest first, the next page just after', async () => {
    const desk = await t.token('scheduler', { sub: 'hardening-desk-slots' });
    const { from, to } = month();
    const page = (after: string) =>
      t.gql<{ availableSlots: { start: string; practitionerId: string }[] }>(
        desk,
        `query ($s: String!, $from: DateTimeISO!, $to: DateTimeISO!) {
          availableSlots(specialty: $s, from: $from, to: $to, first: 200) { start practitionerId }
        }`,
        { s: SPECIALTY, from: after, to },
      );
    const one = await page(from);
    expect(one.errors).toBeUndefined();
    const first = one.data!.availableSlots;
    expect(first.length).toBeGreaterThan(150);
    expect(first.length).toBeLessThanOrEqual(200);
    const starts = first.map((s) => Date.parse(s.start));
    expect(starts).toEqual([...starts].sort((x, y) => x - y));
    // The last start time is whole on this page: the next page begins just after it.
    const last = starts.at(-1)!;
    const two = await page(new Date(last + 1).toISOString());
    expect(two.errors).toBeUndefined();
    const next = two.data!.availableSlots;
    expect(Date.parse(next[0]!.start)).toBeGreaterThan(last);
    const seen = new Set(first.map((s) => `${s.practitionerId}@${s.start}`));
    expect(next.some((s) => seen.has(`${s.practitionerId}@${s.start}`))).toBe(false);
  });

  it('#8 the subgraph serves no more than the gateway counts: 31 days, 50 schedules per search', async () => {
    const { SLOT_SEARCH } = await import('../../subgraphs/scheduling/domain/slot-search.js');
    const { LIMITS } = await import('../../platform/limits/settings.js');
    const work = LIMITS.rangeWork['Query.availableSlots'];
    expect(work.maxDays).toBe(SLOT_SEARCH.maxRangeDays);
    expect(work.itemsPerFilter.specialty).toBe(SLOT_SEARCH.maxSchedules);
    expect(work.itemsPerFilter.facilityId).toBe(SLOT_SEARCH.maxSchedules);
    const desk = await t.token('scheduler', { sub: 'hardening-desk-slots' });
    const from = new Date(Date.now() + DAY);
    const tooLong = await t.gql(
      desk,
      `query ($from: DateTimeISO!, $to: DateTimeISO!) {
        availableSlots(specialty: "${SPECIALTY}", from: $from, to: $to, first: 1) { start }
      }`,
      { from: from.toISOString(), to: new Date(from.getTime() + 32 * DAY).toISOString() },
    );
    expect(tooLong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('#14 registering with an MRN that is already taken', () => {
  const CREATE = /* GraphQL */ `
    mutation ($input: CreatePatientInput!) {
      createPatient(input: $input) {
        id
        version
        mrn
      }
    }
  `;
  const input = (mrn: string, family: string) => ({
    mrn,
    name: { family, given: ['Reg'] },
    birthDate: '1981-04-05',
    gender: 'other',
  });
  const shape = (r: { data?: unknown; errors?: unknown }) => ({
    errors: r.errors,
    keys: Object.keys((r.data as { createPatient?: object } | null)?.createPatient ?? {}),
  });

  it('#14 a clinician who may not see the existing record gets the same answer as for a new MRN; the registration goes to review', async () => {
    const admin = await t.token('admin', { sub: 'hardening-mrn-admin' });
    const existing = await t.gql<{ patient: { mrn: string } }>(
      admin,
      'query ($id: ID!) { patient(id: $id) { mrn } }',
      { id: t.demo.patientId },
    );
    const taken = existing.data!.patient.mrn;
    expect(taken).toBeTruthy();
    // A clinician on nobody's care team for the demo patient.
    const outsider = await t.token('clinician', {
      sub: 'hardening-mrn-outsider',
      practitionerId: t.demo.otherPractitionerId,
    });
    expect(
      (await t.gql(outsider, READ, { id: t.demo.patientId })).errors?.[0]?.extensions?.code,
    ).toBe('FORBIDDEN');

    const fresh = await t.gql<{ createPatient: { id: string; mrn: string } }>(outsider, CREATE, {
      input: input(`HARD-${Date.now()}`, 'Fresh'),
    });
    const dup = await t.gql<{ createPatient: { id: string; mrn: string } }>(outsider, CREATE, {
      input: input(taken, 'Dup'),
    });
    expect(shape(dup)).toEqual(shape(fresh));
    expect(dup.errors).toBeUndefined();
    expect(dup.data!.createPatient.id).not.toBe(t.demo.patientId);
    expect(dup.data!.createPatient.mrn).toBe(taken);
    // The registering clinician reads the record they made, as after any registration.
    expect(
      (await t.gql(outsider, READ, { id: dup.data!.createPatient.id })).errors,
    ).toBeUndefined();

    const queued = await t.sql<{ patient_id: string; matches: string[]; status: string }>(
      'select patient_id, matches, status from patient.registration_review',
    );
    expect(queued).toEqual([
      { patient_id: dup.data!.createPatient.id, matches: [t.demo.patientId], status: 'open' },
    ]);
    expect(await auditReasons('denied:duplicate-registration')).toBe(1);
  });

  it('#14 the front desk, who may see the existing record, is sent to it instead of making a second', async () => {
    const admin = await t.token('admin', { sub: 'hardening-mrn-admin' });
    const taken = (
      await t.gql<{ patient: { mrn: string } }>(
        admin,
        'query ($id: ID!) { patient(id: $id) { mrn } }',
        {
          id: t.demo.otherPatientId,
        },
      )
    ).data!.patient.mrn;
    const desk = await t.token('scheduler', { sub: 'hardening-mrn-desk' });
    const r = await t.gql(desk, CREATE, { input: input(taken, 'Again') });
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      existingPatientId: t.demo.otherPatientId,
    });
    const rows = await t.sql<{ n: string }>(
      `select count(*) as n from patient.registration_review where matches ? $1`,
      [t.demo.otherPatientId],
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });
});
