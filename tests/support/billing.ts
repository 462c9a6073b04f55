import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Principal } from '../../platform/identity/principal.js';
import { untilKnown, type TestStack } from './stack.js';

/** Client ids of the payer apps the billing tests act as (pass them to textPartnerClients). */
export const PAYER_APPS = { united: 'payer-united-test', aetna: 'payer-aetna-test' } as const;
/** Payer ids of data/billing/payers: UnitedHealthcare and Aetna. */
export const PAYERS = { united: '60000', aetna: '70000' } as const;
/** A plan of each (UnitedHealthcare GOLD, Aetna ACA BRONZE). */
export const PLANS = { united: '60001', aetna: '70001' } as const;

export const key = (): string => `k-${randomBytes(8).toString('hex')}`;

/** A token of a payer's app: partner role, acting for the payer organisation, no patient. */
export function payerToken(t: TestStack, payer: keyof typeof PAYERS): Promise<string> {
  const principal: Principal = {
    sub: PAYER_APPS[payer],
    roles: ['partner'],
    scopes: ['system/Claim.rus', 'system/Coverage.rs'],
    clientId: PAYER_APPS[payer],
    organizationId: PAYERS[payer],
    purposeOfUse: 'HPAYMT',
  };
  return t.stack.devIssuer!.sign(principal);
}

interface Slot {
  start: string;
}

const slotsLeft = new Map<string, Slot[]>();

/** The next free slot of a practitioner (tests using this book nothing else on them). */
async function nextSlot(t: TestStack, admin: string, practitionerId: string): Promise<Slot> {
  let free = slotsLeft.get(practitionerId);
  if (!free?.length) {
    const r = await t.gql<{ availableSlots: Slot[] }>(
      admin,
      /* GraphQL */ `
        query ($p: ID!, $from: DateTimeISO!, $to: DateTimeISO!) {
          availableSlots(practitionerId: $p, from: $from, to: $to, first: 200) {
            start
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
    free = r.data!.availableSlots;
    slotsLeft.set(practitionerId, free);
  }
  const slot = free.shift();
  if (!slot) throw new Error('out of slots');
  return slot;
}

/**
 * Books an appointment for `patientId` with `practitionerId` and moves it to
 * `to` (arrived → fulfilled for a completed visit, or no-show / cancelled)
 * through the scheduling API as an admin; returns its id.
 */
export async function visit(
  t: TestStack,
  patientId: string,
  to: 'fulfilled' | 'noshow' | 'cancelled' = 'fulfilled',
  practitionerId = t.demo.practitionerId,
): Promise<string> {
  const admin = await t.token('admin');
  const slot = await nextSlot(t, admin, practitionerId);
  const booked = await t.gql<{ bookAppointment: { id: string } }>(
    admin,
    /* GraphQL */ `
      mutation ($i: BookAppointmentInput!) {
        bookAppointment(input: $i) {
          id
        }
      }
    `,
    { i: { patientId, practitionerId, start: slot.start, idempotencyKey: key() } },
  );
  expect(booked.errors).toBeUndefined();
  const id = booked.data!.bookAppointment.id;
  const steps =
    to === 'fulfilled'
      ? ['checkIn', 'completeAppointment']
      : to === 'noshow'
        ? ['markNoShow']
        : ['cancelAppointment'];
  for (const op of steps) {
    const r = await t.gql(
      admin,
      `mutation ($id: ID!, $k: String!) { ${op}(id: $id, idempotencyKey: $k) { id } }`,
      { id, k: key() },
    );
    expect(r.errors).toBeUndefined();
  }
  return id;
}

/** Waits until billing holds `count` charges for the appointment (events are asynchronous). */
export async function waitForCharges(
  t: TestStack,
  appointmentId: string,
  count = 1,
  timeoutMs = 15_000,
): Promise<{ id: string; code: string; amount_minor: string; kind: string }[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await t.sql<{ id: string; code: string; amount_minor: string; kind: string }>(
      'SELECT id, code, amount_minor::text AS amount_minor, kind FROM billing.charge WHERE appointment_id = $1',
      [appointmentId],
    );
    if (rows.length >= count) return rows;
    if (Date.now() > deadline)
      throw new Error(`billing has ${rows.length} charges for the appointment, expected ${count}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until billing has applied the appointment's event of `version` (or later). */
export async function waitForAppointmentState(
  t: TestStack,
  appointmentId: string,
  status: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await t.sql<{ status: string }>(
      'SELECT status FROM billing.appointment_state WHERE appointment_id = $1',
      [appointmentId],
    );
    if (row?.status === status) return;
    if (Date.now() > deadline) throw new Error(`billing never saw the appointment ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Records a coverage as billing staff and returns its id. */
export async function coverageFor(
  t: TestStack,
  patientId: string,
  payer: keyof typeof PLANS = 'united',
  priority = 1,
): Promise<string> {
  const billing = await t.token('billing');
  const r = await t.gql<{ recordCoverage: { id: string } }>(
    billing,
    /* GraphQL */ `
      mutation ($i: RecordCoverageInput!) {
        recordCoverage(input: $i) {
          id
        }
      }
    `,
    {
      i: {
        patientId,
        planId: PLANS[payer],
        memberId: `MBR-${randomBytes(4).toString('hex')}`,
        relationship: 'self',
        periodStart: '2026-01-01',
        priority,
        idempotencyKey: key(),
      },
    },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.recordCoverage.id;
}

/** A fresh patient (registered by an admin), so a test's account starts empty. */
export async function newPatient(t: TestStack, tag = 'billing'): Promise<string> {
  const admin = await t.token('admin');
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
        mrn: `BL-${tag}-${randomBytes(4).toString('hex')}`,
        name: { family: 'Ledger', given: [tag] },
        birthDate: '1975-05-05',
        gender: 'female',
      },
    },
  );
  expect(r.errors).toBeUndefined();
  await untilKnown(t, [r.data!.createPatient.id]);
  return r.data!.createPatient.id;
}

/** A patient's balance (decimal string) as the gateway answers it, read as billing staff unless `token` is given. */
export async function balanceOf(t: TestStack, patientId: string, token?: string): Promise<string> {
  const r = await t.gql<{ patient: { balance: { amount: string } } }>(
    token ?? (await t.token('billing')),
    'query ($id: ID!) { patient(id: $id) { balance { amount } } }',
    { id: patientId },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.patient.balance.amount;
}
