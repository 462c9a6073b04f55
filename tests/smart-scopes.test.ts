import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal, Role } from '../platform/identity/principal.js';
import { startTestStack, type GqlResponse, type TestStack } from './support/stack.js';

/**
 * SMART scope enforcement through the gateway: a token reaches only the
 * resource types and permissions its scopes grant, `patient/` scopes count
 * only inside the token's patient context, and v1 and wildcard scopes parse
 * as the SMART specification says.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('scopes');
});
afterAll(() => t?.stop());

type Gql = GqlResponse<Record<string, unknown>>;

/** A patient token bound to the demo patient, holding only `scopes`. */
function patientWith(...scopes: string[]): Promise<string> {
  return t.token('patient', { patientId: t.demo.patientId, scopes });
}

/** A clinician on the demo patient's care team, holding only `scopes`. */
function clinicianWith(scopes: string[], overrides: Partial<Principal> = {}): Promise<string> {
  return t.token('clinician', { practitionerId: t.demo.practitionerId, scopes, ...overrides });
}

function readPatient(token: string): Promise<Gql> {
  return t.gql(
    token,
    /* GraphQL */ `
      query ($id: ID!) {
        patient(id: $id) {
          id
          version
        }
      }
    `,
    {
      id: t.demo.patientId,
    },
  );
}

function searchPatients(token: string): Promise<Gql> {
  return t.gql(
    token,
    /* GraphQL */ `
      {
        patients(first: 5) {
          edges {
            node {
              id
            }
          }
        }
      }
    `,
  );
}

function readAccessLog(token: string): Promise<Gql> {
  return t.gql(
    token,
    /* GraphQL */ `
      query ($p: ID!) {
        accessLog(patientId: $p, first: 5) {
          edges {
            node {
              action
            }
          }
        }
      }
    `,
    { p: t.demo.patientId },
  );
}

async function currentVersion(): Promise<number> {
  const r = await readPatient(await t.token('admin'));
  return (r.data?.patient as { version: number }).version;
}

async function updatePatient(token: string): Promise<Gql> {
  return t.gql(
    token,
    /* GraphQL */ `
      mutation ($id: ID!, $v: Int!) {
        updatePatient(
          id: $id
          expectedVersion: $v
          input: { telecom: [{ system: phone, value: "555-0142", use: "home" }] }
        ) {
          id
          version
        }
      }
    `,
    { id: t.demo.patientId, v: await currentVersion() },
  );
}

let mrnSeq = 0;
function createPatient(token: string): Promise<Gql> {
  mrnSeq += 1;
  return t.gql(
    token,
    /* GraphQL */ `
      mutation ($input: CreatePatientInput!) {
        createPatient(input: $input) {
          id
        }
      }
    `,
    {
      input: {
        mrn: `SC-${Date.now()}-${mrnSeq}`,
        name: { family: 'Scope', given: ['Test'] },
        birthDate: '1985-04-05',
        gender: 'other',
      },
    },
  );
}

function recordConsent(token: string): Promise<Gql> {
  return t.gql(
    token,
    /* GraphQL */ `
      mutation ($p: ID!) {
        recordConsent(
          patientId: $p
          input: { scope: treatment, provisions: [{ type: permit, purposes: [TREAT] }] }
        ) {
          id
          status
        }
      }
    `,
    { p: t.demo.patientId },
  );
}

/** The call was refused with FORBIDDEN and `field` carries no data. */
function expectForbidden(r: Gql, field: string): void {
  expect(r.data?.[field] ?? null).toBeNull();
  expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
}

function expectPatient(r: Gql): void {
  expect(r.errors).toBeUndefined();
  expect((r.data?.patient as { id: string } | null)?.id).toBe(t.demo.patientId);
}

function expectSearchHit(r: Gql): void {
  expect(r.errors).toBeUndefined();
  const ids = (r.data?.patients as { edges: { node: { id: string } }[] }).edges.map(
    (e) => e.node.id,
  );
  expect(ids).toContain(t.demo.patientId);
}

describe('SMART scopes (through the gateway)', () => {
  it('patient/Patient.r reads the own record and nothing more', async () => {
    const tok = await patientWith('patient/Patient.r');
    expectPatient(await readPatient(tok));
    expectForbidden(await updatePatient(tok), 'updatePatient');
    expectForbidden(await searchPatients(tok), 'patients');
    expectForbidden(await readAccessLog(tok), 'accessLog');
    expectForbidden(await recordConsent(tok), 'recordConsent');
  });

  it('user/Appointment.cruds unlocks no Patient read, search or write', async () => {
    const tok = await clinicianWith(['user/Appointment.cruds']);
    expectForbidden(await readPatient(tok), 'patient');
    expectForbidden(await searchPatients(tok), 'patients');
    expectForbidden(await updatePatient(tok), 'updatePatient');
    expectForbidden(await createPatient(tok), 'createPatient');
  });

  it('user/Patient.rs lets a clinician read and search but not create or update', async () => {
    const tok = await clinicianWith(['user/Patient.rs']);
    expectPatient(await readPatient(tok));
    expectSearchHit(await searchPatients(tok));
    expectForbidden(await createPatient(tok), 'createPatient');
    expectForbidden(await updatePatient(tok), 'updatePatient');
  });

  it('user/Patient.cruds lets a clinician update', async () => {
    const tok = await clinicianWith(['user/Patient.cruds']);
    const before = await currentVersion();
    const r = await updatePatient(tok);
    expect(r.errors).toBeUndefined();
    expect(r.data?.updatePatient).toEqual({ id: t.demo.patientId, version: before + 1 });
  });

  it('patient/ scopes grant nothing without the patient context', async () => {
    const noContext = await clinicianWith(['patient/Patient.rs']);
    expectForbidden(await readPatient(noContext), 'patient');
    expectForbidden(await searchPatients(noContext), 'patients');
    // A patient context for someone else does not reach this patient either.
    const otherContext = await clinicianWith(['patient/Patient.rs'], {
      patientId: t.demo.otherPatientId,
    });
    expectForbidden(await readPatient(otherContext), 'patient');
  });

  it('v1 patient/Patient.read works like patient/Patient.rs', async () => {
    const tok = await patientWith('patient/Patient.read');
    expectPatient(await readPatient(tok));
    expectSearchHit(await searchPatients(tok));
    expectForbidden(await updatePatient(tok), 'updatePatient');
  });

  it('patient/*.rs unlocks Patient read', async () => {
    const tok = await patientWith('patient/*.rs');
    expectPatient(await readPatient(tok));
    expectSearchHit(await searchPatients(tok));
    expectForbidden(await updatePatient(tok), 'updatePatient');
  });

  it('a Consent scope alone does not unlock Patient', async () => {
    const cases: [Role, string][] = [
      ['patient', 'patient/Consent.cruds'],
      ['clinician', 'user/Consent.cruds'],
    ];
    for (const [role, scope] of cases) {
      const tok = role === 'patient' ? await patientWith(scope) : await clinicianWith([scope]);
      expectForbidden(await readPatient(tok), 'patient');
      expectForbidden(await searchPatients(tok), 'patients');
      expectForbidden(await updatePatient(tok), 'updatePatient');
    }
    // The scope does work for what it names: the patient may record a consent with it.
    const r = await recordConsent(await patientWith('patient/Consent.cruds'));
    expect(r.errors).toBeUndefined();
    expect(r.data?.recordConsent).toMatchObject({ status: 'active' });
  });
});
