import { afterAll, beforeAll } from 'vitest';
import type { Role } from '../../platform/identity/principal.js';
import {
  accessMatrix,
  outcome as matrixOutcome,
  type MatrixOperation,
} from '../support/access-matrix.js';
import {
  demoOverrides,
  startTestStack,
  type GqlResponse,
  type TestStack,
} from '../support/stack.js';
import { textPartnerClients } from '../support/clients.js';

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

type Operation = MatrixOperation<Role>;

const outcome = (r: GqlResponse, field: string) => matrixOutcome(r, r.data?.[field]);

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
    // Researchers reach only open data.
    allowed: ROLES.filter((r) => r !== 'researcher'),
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

accessMatrix('patient subgraph access matrix (through the gateway)', ROLES, OPERATIONS, tokenFor);
