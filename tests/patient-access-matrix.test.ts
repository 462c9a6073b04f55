import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../platform/identity/principal.js';
import { demoOverrides, startTestStack, type TestStack } from './support/stack.js';
import { textPartnerClients } from './support/clients.js';

/**
 * Every query and mutation of the patient subgraph under every role, through
 * the gateway, against the policy in docs/security.md.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('matrix', textPartnerClients(['partner-demo-app']));
});
afterAll(() => t?.stop());

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

async function tokenFor(role: Role): Promise<string> {
  const overrides = demoOverrides(t) as Partial<Record<Role, object>>;
  return t.token(role, overrides[role] ?? {});
}

async function adminToken() {
  return t.token('admin');
}

async function currentVersion(id: string): Promise<number> {
  const r = await t.gql<{ patient: { version: number } }>(
    await adminToken(),
    '{ patient(id: "' + id + '") { version } }',
  );
  return r.data!.patient.version;
}

async function newConsentId(): Promise<string> {
  const r = await t.gql<{ recordConsent: { id: string } }>(
    await adminToken(),
    /* GraphQL */ `
      mutation ($p: ID!) {
        recordConsent(
          patientId: $p
          input: { scope: treatment, provisions: [{ type: permit, purposes: [TREAT] }] }
        ) {
          id
        }
      }
    `,
    { p: t.demo.patientId },
  );
  return r.data!.recordConsent.id;
}

interface Operation {
  name: string;
  allowed: Role[];
  run: (token: string, role: Role) => Promise<{ ok: boolean; code?: string }>;
}

function outcome(
  r: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] },
  field: string,
) {
  const value = r.data?.[field];
  return {
    ok: value !== null && value !== undefined && !r.errors?.length,
    code: r.errors?.[0]?.extensions?.code,
  };
}

const OPERATIONS: Operation[] = [
  {
    name: 'patient(id)',
    allowed: ['patient', 'clinician', 'scheduler', 'pharmacist', 'billing', 'admin', 'partner'],
    run: async (tok) =>
      outcome(
        await t.gql(tok, `{ patient(id: "${t.demo.patientId}") { id name { family } } }`),
        'patient',
      ),
  },
  {
    name: 'patients',
    allowed: ['patient', 'clinician', 'scheduler', 'pharmacist', 'billing', 'admin', 'partner'],
    run: async (tok) =>
      outcome(await t.gql(tok, '{ patients(first: 5) { edges { node { id } } } }'), 'patients'),
  },
  {
    name: 'me',
    allowed: ROLES,
    run: async (tok) => outcome(await t.gql(tok, '{ me { subject roles } }'), 'me'),
  },
  {
    name: 'accessLog',
    allowed: ['patient', 'admin', 'auditor', 'partner'],
    run: async (tok) =>
      outcome(
        await t.gql(
          tok,
          `{ accessLog(patientId: "${t.demo.patientId}") { edges { node { action } } } }`,
        ),
        'accessLog',
      ),
  },
  {
    name: 'createPatient',
    allowed: ['clinician', 'scheduler', 'admin'],
    run: async (tok, role) =>
      outcome(
        await t.gql(
          tok,
          /* GraphQL */ `
            mutation ($input: CreatePatientInput!) {
              createPatient(input: $input) {
                id
              }
            }
          `,
          {
            input: {
              mrn: `MX-${role}-${Date.now()}`,
              name: { family: 'Matrix', given: [role] },
              birthDate: '1990-01-02',
              gender: 'female',
            },
          },
        ),
        'createPatient',
      ),
  },
  {
    name: 'updatePatient',
    allowed: ['clinician', 'scheduler', 'admin'],
    run: async (tok) =>
      outcome(
        await t.gql(
          tok,
          /* GraphQL */ `
            mutation ($id: ID!, $v: Int!) {
              updatePatient(
                id: $id
                expectedVersion: $v
                input: { telecom: [{ system: phone, value: "555-0100" }] }
              ) {
                version
              }
            }
          `,
          { id: t.demo.patientId, v: await currentVersion(t.demo.patientId) },
        ),
        'updatePatient',
      ),
  },
  {
    name: 'recordConsent',
    allowed: ['patient', 'admin'],
    run: async (tok) =>
      outcome(
        await t.gql(
          tok,
          /* GraphQL */ `
            mutation ($p: ID!) {
              recordConsent(
                patientId: $p
                input: { scope: treatment, provisions: [{ type: permit }] }
              ) {
                id
              }
            }
          `,
          { p: t.demo.patientId },
        ),
        'recordConsent',
      ),
  },
  {
    name: 'revokeConsent',
    allowed: ['patient', 'admin'],
    run: async (tok) =>
      outcome(
        await t.gql(tok, 'mutation ($c: ID!) { revokeConsent(consentId: $c) { status } }', {
          c: await newConsentId(),
        }),
        'revokeConsent',
      ),
  },
  {
    name: 'addCareTeamMember',
    allowed: ['clinician', 'scheduler', 'admin'],
    run: async (tok, role) =>
      outcome(
        await t.gql(
          tok,
          'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "consultant") { id } }',
          { p: t.demo.patientId, pr: `matrix-${role}` },
        ),
        'addCareTeamMember',
      ),
  },
  {
    name: 'removeCareTeamMember',
    allowed: ['scheduler', 'admin'],
    run: async (tok) =>
      outcome(
        await t.gql(
          tok,
          'mutation ($p: ID!, $pr: ID!) { removeCareTeamMember(patientId: $p, practitionerId: $pr) }',
          {
            p: t.demo.patientId,
            pr: 'matrix-admin',
          },
        ),
        'removeCareTeamMember',
      ),
  },
  {
    name: 'breakTheGlass',
    allowed: ['clinician'],
    run: async (tok) =>
      outcome(
        await t.gql(
          tok,
          'mutation ($p: ID!) { breakTheGlass(patientId: $p, reason: "Unconscious in the emergency department") { expiresAt } }',
          {
            p: t.demo.otherPatientId,
          },
        ),
        'breakTheGlass',
      ),
  },
];

describe('patient subgraph access matrix (through the gateway)', () => {
  for (const op of OPERATIONS) {
    for (const role of ROLES) {
      const expected = op.allowed.includes(role);
      it(`${op.name} as ${role}: ${expected ? 'allowed' : 'FORBIDDEN'}`, async () => {
        const result = await op.run(await tokenFor(role), role);
        if (expected) expect(result).toEqual({ ok: true, code: undefined });
        else expect(result).toEqual({ ok: false, code: 'FORBIDDEN' });
      });
    }
  }
});
