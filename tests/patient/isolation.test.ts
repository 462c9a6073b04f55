import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_TOKEN_HEADER } from '../../platform/federation/subgraph-server.js';
import { devPrincipal } from '../../platform/identity/dev-issuer.js';
import { InternalTokenSigner } from '../../platform/identity/internal-token.js';
import type { Principal, Role } from '../../platform/identity/principal.js';
import {
  demoOverrides,
  startTestStack,
  type GqlResponse,
  type TestStack,
} from '../support/stack.js';

/**
 * A patient reaches no other patient by any path, and a clinician outside the
 * care team only through audited, time-limited break-the-glass.
 */
let t: TestStack;
let signer: InternalTokenSigner;
let patientToken: string;
let otherMrn: string;

beforeAll(async () => {
  t = await startTestStack('isolation');
  signer = await InternalTokenSigner.load(t.config.keysDir);
  patientToken = await t.token('patient', demoOverrides(t).patient);
  const r = await t.gql<{ patient: { mrn: string } }>(
    await t.token('admin'),
    /* GraphQL */ `
      query ($id: ID!) {
        patient(id: $id) {
          mrn
        }
      }
    `,
    { id: t.demo.otherPatientId },
  );
  otherMrn = r.data!.patient.mrn;
});
afterAll(() => t?.stop());

const FORBIDDEN_MESSAGE = 'Not permitted to access this record, or it does not exist';

function codes(r: GqlResponse): (string | undefined)[] {
  return (r.errors ?? []).map((e) => e.extensions?.code);
}

interface AuditPayload {
  actor: { sub: string; practitionerId?: string; patientId?: string };
  patientId?: string;
  resourceType: string;
  action: string;
  purpose: string;
  outcome: string;
  emergency?: boolean;
  reason?: string;
  requestId: string;
}

async function auditOf(patientId: string): Promise<(AuditPayload & { seq: number })[]> {
  const rows = await t.sql<{ seq: string; payload: string }>(
    'select seq, payload from audit.entry where patient_id = $1 order by seq',
    [patientId],
  );
  return rows.map((r) => ({ ...(JSON.parse(r.payload) as AuditPayload), seq: Number(r.seq) }));
}

const PATIENT_BY_ID = /* GraphQL */ `
  query ($id: ID!) {
    patient(id: $id) {
      id
      name {
        family
      }
    }
  }
`;

describe('a patient cannot read another patient', () => {
  it('reads their own record (control)', async () => {
    const r = await t.gql<{ patient: { id: string } }>(patientToken, PATIENT_BY_ID, {
      id: t.demo.patientId,
    });
    expect(r.errors).toBeUndefined();
    expect(r.data?.patient.id).toBe(t.demo.patientId);
  });

  it('patient(id: other) is FORBIDDEN with no data', async () => {
    const r = await t.gql(patientToken, PATIENT_BY_ID, { id: t.demo.otherPatientId });
    expect(r.status).toBe(200);
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.errors![0]!.message).toBe(FORBIDDEN_MESSAGE);
    expect(r.data?.patient ?? null).toBeNull();
  });

  it('an id that does not exist gets the same FORBIDDEN (no existence leak)', async () => {
    const other = await t.gql(patientToken, PATIENT_BY_ID, { id: t.demo.otherPatientId });
    const missing = await t.gql(patientToken, PATIENT_BY_ID, { id: randomUUID() });
    expect(codes(missing)).toEqual(['FORBIDDEN']);
    expect(missing.data?.patient ?? null).toBeNull();
    expect(missing.errors![0]!.message).toBe(other.errors![0]!.message);
    expect(missing.status).toBe(other.status);
  });

  it('the denial is audited', async () => {
    const entries = await auditOf(t.demo.otherPatientId);
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'read',
        outcome: 'deny',
        resourceType: 'Patient',
        actor: expect.objectContaining({ patientId: t.demo.patientId }) as unknown,
      }),
    );
  });

  it('patients lists only themself', async () => {
    const r = await t.gql<{
      patients: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean } };
    }>(patientToken, '{ patients(first: 100) { edges { node { id } } pageInfo { hasNextPage } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data!.patients.edges.map((e) => e.node.id)).toEqual([t.demo.patientId]);
    expect(r.data!.patients.pageInfo.hasNextPage).toBe(false);
  });

  it("patients(mrn: <other's mrn>) returns no edge", async () => {
    const r = await t.gql<{ patients: { edges: { node: { id: string } }[] } }>(
      patientToken,
      'query ($mrn: String!) { patients(mrn: $mrn, first: 100) { edges { node { id mrn } } } }',
      { mrn: otherMrn },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.patients.edges).toEqual([]);
    // The same search as admin finds the record, so the empty answer is the compartment's doing.
    const admin = await t.gql<{ patients: { edges: { node: { id: string } }[] } }>(
      await t.token('admin'),
      'query ($mrn: String!) { patients(mrn: $mrn) { edges { node { id } } } }',
      { mrn: otherMrn },
    );
    expect(admin.data!.patients.edges.map((e) => e.node.id)).toEqual([t.demo.otherPatientId]);
  });

  it('me { patient } is their own record', async () => {
    const r = await t.gql<{ me: { patientId: string; patient: { id: string } } }>(
      patientToken,
      '{ me { patientId patient { id } } }',
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.me).toEqual({
      patientId: t.demo.patientId,
      patient: { id: t.demo.patientId },
    });
  });

  it("another patient's history and consents are not reachable", async () => {
    const r = await t.gql(
      patientToken,
      /* GraphQL */ `
        query ($id: ID!) {
          patient(id: $id) {
            id
            history {
              version
              record {
                name {
                  family
                }
              }
            }
            consents {
              id
            }
          }
        }
      `,
      { id: t.demo.otherPatientId },
    );
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.data?.patient ?? null).toBeNull();
  });

  it('_entities is not exposed through the gateway', async () => {
    const r = await t.gql(
      patientToken,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Patient { id } } }',
      { r: [{ __typename: 'Patient', id: t.demo.otherPatientId }] },
    );
    expect(r.data ?? null).toBeNull();
    expect(codes(r).length).toBeGreaterThan(0);
    expect(new Set(codes(r))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
  });
});

describe('_entities sent to the patient subgraph directly', () => {
  const ENTITIES = /* GraphQL */ `
    query ($r: [_Any!]!) {
      _entities(representations: $r) {
        ... on Patient {
          id
          mrn
          name {
            family
          }
        }
      }
    }
  `;

  async function entities(principal: Principal, id: string) {
    const variables = { r: [{ __typename: 'Patient', id }] };
    const res = await fetch(t.stack.subgraph('patient').url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [INTERNAL_TOKEN_HEADER]: await signer.sign(principal, {
          requestId: `isolation-${randomUUID()}`,
          subgraph: 'patient',
          operation: { query: ENTITIES, variables },
        }),
      },
      body: JSON.stringify({ query: ENTITIES, variables }),
    });
    const text = await res.text();
    return { status: res.status, text, ...(JSON.parse(text) as Omit<GqlResponse, 'status'>) };
  }

  const principals: [string, () => Principal][] = [
    ['the demo patient', () => devPrincipal('patient', demoOverrides(t).patient)],
    [
      'a partner bound to the demo patient',
      () => devPrincipal('partner', demoOverrides(t).partner),
    ],
  ];

  for (const [who, principal] of principals) {
    it(`resolves the own record for ${who} (control)`, async () => {
      const r = await entities(principal(), t.demo.patientId);
      expect(r.errors).toBeUndefined();
      expect((r.data as { _entities: { id: string }[] })._entities[0]!.id).toBe(t.demo.patientId);
    });

    it(`refuses another patient for ${who}: FORBIDDEN and no data`, async () => {
      const r = await entities(principal(), t.demo.otherPatientId);
      expect(codes(r as GqlResponse)).toEqual(['FORBIDDEN']);
      expect(r.errors![0]!.message).toBe(FORBIDDEN_MESSAGE);
      const list = (r.data as { _entities?: unknown[] } | null | undefined)?._entities;
      expect(list === undefined || list.every((e) => e === null)).toBe(true);
      expect(r.text).not.toContain(otherMrn);
    });

    it(`refuses a non-existent id for ${who} the same way`, async () => {
      const other = await entities(principal(), t.demo.otherPatientId);
      const missing = await entities(principal(), randomUUID());
      expect(codes(missing as GqlResponse)).toEqual(['FORBIDDEN']);
      expect(missing.errors![0]!.message).toBe(other.errors![0]!.message);
      const list = (missing.data as { _entities?: unknown[] } | null | undefined)?._entities;
      expect(list === undefined || list.every((e) => e === null)).toBe(true);
    });
  }
});

describe('break-the-glass for a clinician off the care team', () => {
  const REASON = 'Unconscious on arrival in the emergency department, no history available';
  const BREAK = /* GraphQL */ `
    mutation ($p: ID!, $reason: String!) {
      breakTheGlass(patientId: $p, reason: $reason) {
        id
        patientId
        grantedAt
        expiresAt
      }
    }
  `;
  let clinician: string;
  let grantId: string;

  beforeAll(async () => {
    clinician = await t.token('clinician', demoOverrides(t).clinician);
  });

  async function grantCount(): Promise<number> {
    const rows = await t.sql<{ n: string }>(
      'select count(*) as n from patient.break_glass_grant where patient_id = $1',
      [t.demo.otherPatientId],
    );
    return Number(rows[0]!.n);
  }

  it('reads a care-team patient (control)', async () => {
    const r = await t.gql<{ patient: { id: string } }>(clinician, PATIENT_BY_ID, {
      id: t.demo.patientId,
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.patient.id).toBe(t.demo.patientId);
  });

  it('patient(id: otherPatientId) is FORBIDDEN', async () => {
    const r = await t.gql(clinician, PATIENT_BY_ID, { id: t.demo.otherPatientId });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.data?.patient ?? null).toBeNull();
  });

  for (const [what, reason] of [
    ['an empty reason', ''],
    ['a too-short reason', 'too short'],
    ['a short reason padded with spaces', '     urgent!      '],
    ['a too-long reason', 'x'.repeat(501)],
  ] as const) {
    it(`refuses ${what} with BAD_USER_INPUT and opens nothing`, async () => {
      const r = await t.gql(clinician, BREAK, { p: t.demo.otherPatientId, reason });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.data?.breakTheGlass ?? null).toBeNull();
      expect(await grantCount()).toBe(0);
    });
  }

  for (const role of ['scheduler', 'admin'] as Role[]) {
    it(`refuses ${role} with FORBIDDEN`, async () => {
      const r = await t.gql(await t.token(role), BREAK, {
        p: t.demo.otherPatientId,
        reason: REASON,
      });
      expect(codes(r)).toEqual(['FORBIDDEN']);
      expect(r.data?.breakTheGlass ?? null).toBeNull();
      expect(await grantCount()).toBe(0);
    });
  }

  it('with a good reason grants access for BREAK_GLASS_MINUTES', async () => {
    const before = Date.now();
    const r = await t.gql<{
      breakTheGlass: { id: string; patientId: string; grantedAt: string; expiresAt: string };
    }>(clinician, BREAK, { p: t.demo.otherPatientId, reason: REASON });
    const after = Date.now();
    expect(r.errors).toBeUndefined();
    const grant = r.data!.breakTheGlass;
    grantId = grant.id;
    expect(grant.patientId).toBe(t.demo.otherPatientId);
    const minutes = t.config.BREAK_GLASS_MINUTES * 60_000;
    const granted = Date.parse(grant.grantedAt);
    const expires = Date.parse(grant.expiresAt);
    expect(expires - granted).toBe(minutes);
    expect(granted).toBeGreaterThanOrEqual(before - 1000);
    expect(granted).toBeLessThanOrEqual(after + 1000);
    expect(await grantCount()).toBe(1);
    // The reason is stored encrypted, never as plain text.
    const rows = await t.sql<{ reason: string; practitioner_id: string }>(
      'select reason, practitioner_id from patient.break_glass_grant where id = $1',
      [grantId],
    );
    expect(rows[0]!.practitioner_id).toBe(t.demo.practitionerId);
    expect(rows[0]!.reason).not.toContain('emergency department');
  });

  it('then the read succeeds', async () => {
    const r = await t.gql<{ patient: { id: string } }>(clinician, PATIENT_BY_ID, {
      id: t.demo.otherPatientId,
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.patient.id).toBe(t.demo.otherPatientId);
  });

  it('the audit log has the emergency access and an emergency read under ETREAT', async () => {
    const entries = await auditOf(t.demo.otherPatientId);
    const mine = entries.filter((e) => e.actor.practitionerId === t.demo.practitionerId);
    const opened = mine.filter((e) => e.action === 'emergency-access');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      resourceType: 'Patient',
      outcome: 'permit',
      emergency: true,
      purpose: 'ETREAT',
      reason: `break-glass-grant:${grantId}`,
    });
    const reads = mine.filter(
      (e) => e.seq > opened[0]!.seq && e.action === 'read' && e.outcome === 'permit',
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      resourceType: 'Patient',
      emergency: true,
      purpose: 'ETREAT',
    });
    // The free-text reason stays out of the log.
    expect(JSON.stringify(entries)).not.toContain('emergency department');
  });

  it("the patient's own access log shows the emergency access", async () => {
    const own = await t.token('patient', { patientId: t.demo.otherPatientId });
    const r = await t.gql<{
      accessLog: {
        edges: { node: { action: string; emergency: boolean; purpose: string; outcome: string } }[];
      };
    }>(
      own,
      'query ($p: ID!) { accessLog(patientId: $p, first: 100) { edges { node { action emergency purpose outcome actorRoles } } } }',
      { p: t.demo.otherPatientId },
    );
    expect(r.errors).toBeUndefined();
    const nodes = r.data!.accessLog.edges.map((e) => e.node);
    expect(nodes).toContainEqual(
      expect.objectContaining({
        action: 'emergency-access',
        emergency: true,
        purpose: 'ETREAT',
        outcome: 'permit',
        actorRoles: ['clinician'],
      }),
    );
    expect(nodes).toContainEqual(
      expect.objectContaining({ action: 'read', emergency: true, purpose: 'ETREAT' }),
    );
  });

  it('after expiry the read is FORBIDDEN again', async () => {
    await t.sql(
      `update patient.break_glass_grant
         set granted_at = now() - interval '2 hours', expires_at = now() - interval '1 hour'
       where id = $1`,
      [grantId],
    );
    const r = await t.gql(clinician, PATIENT_BY_ID, { id: t.demo.otherPatientId });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    expect(r.data?.patient ?? null).toBeNull();
    const last = (await auditOf(t.demo.otherPatientId)).at(-1)!;
    expect(last).toMatchObject({ action: 'read', outcome: 'deny' });
    expect(last.emergency).toBeUndefined();
  });
});
