import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../platform/identity/principal.js';
import { textPartnerClients } from '../support/clients.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * Consent enforcement through the gateway: deny provisions by practitioner,
 * organisation and client app block reads at once, revocation restores them,
 * and every decision (and the consent writes themselves) is in the audit log.
 */
let t: TestStack;
let patientToken: string;
let adminToken: string;
// Consents recorded by a test; any still active afterwards is revoked so one failure does not cascade.
const recorded: string[] = [];

beforeAll(async () => {
  // Staff tokens through two registered apps: unregistered ones run persisted operations only.
  t = await startTestStack('consent', textPartnerClients(['app-blocked', 'app-other']));
  patientToken = await t.token('patient', { patientId: t.demo.patientId, sub: 'consent-patient' });
  adminToken = await t.token('admin', { sub: 'consent-admin' });
});
afterAll(() => t?.stop());
afterEach(async () => {
  // The patient may always revoke their own consent, even under a deny-all.
  for (const id of recorded.splice(0)) await revoke(id);
});

interface ActorInput {
  kind: 'practitioner' | 'organization' | 'client' | 'role';
  id: string;
}
interface ProvisionInput {
  type: 'permit' | 'deny';
  actors?: ActorInput[];
  purposes?: string[];
  dataClasses?: string[];
}
interface ConsentInput {
  scope: 'patient_privacy' | 'research' | 'treatment';
  provisions: ProvisionInput[];
  periodStart?: string;
  periodEnd?: string;
}
interface ConsentView {
  id: string;
  status: 'active' | 'inactive';
  revokedAt: string | null;
}
interface AuditPayload {
  seq: number;
  actor: { sub: string; roles: string[]; clientId: string; practitionerId?: string };
  patientId?: string;
  resourceType: string;
  resourceId?: string;
  action: string;
  purpose: string;
  outcome: 'permit' | 'deny' | 'error';
  reason?: string;
}

async function record(input: ConsentInput): Promise<string> {
  const r = await t.gql<{ recordConsent: ConsentView }>(
    patientToken,
    /* GraphQL */ `
      mutation ($p: ID!, $input: RecordConsentInput!) {
        recordConsent(patientId: $p, input: $input) {
          id
          status
          revokedAt
        }
      }
    `,
    { p: t.demo.patientId, input },
  );
  expect(r.errors).toBeUndefined();
  expect(r.data?.recordConsent.status).toBe('active');
  const id = r.data!.recordConsent.id;
  recorded.push(id);
  return id;
}

async function revoke(id: string): Promise<ConsentView> {
  const r = await t.gql<{ revokeConsent: ConsentView }>(
    patientToken,
    /* GraphQL */ `
      mutation ($c: ID!) {
        revokeConsent(consentId: $c) {
          id
          status
          revokedAt
        }
      }
    `,
    { c: id },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.revokeConsent;
}

async function clinician(sub: string, overrides: Partial<Principal> = {}): Promise<string> {
  return t.token('clinician', { sub, practitionerId: t.demo.practitionerId, ...overrides });
}

async function joinCareTeam(practitionerId: string): Promise<void> {
  const r = await t.gql<{ addCareTeamMember: { practitionerId: string } }>(
    adminToken,
    /* GraphQL */ `
      mutation ($p: ID!, $pr: ID!) {
        addCareTeamMember(patientId: $p, practitionerId: $pr, role: "consultant") {
          practitionerId
        }
      }
    `,
    { p: t.demo.patientId, pr: practitionerId },
  );
  expect(r.errors).toBeUndefined();
  expect(r.data?.addCareTeamMember.practitionerId).toBe(practitionerId);
}

function readPatient(token: string): Promise<GqlResponse<{ patient: { id: string } | null }>> {
  return t.gql(
    token,
    /* GraphQL */ `
      query ($id: ID!) {
        patient(id: $id) {
          id
          name {
            family
          }
        }
      }
    `,
    {
      id: t.demo.patientId,
    },
  );
}

async function expectReads(token: string): Promise<void> {
  const r = await readPatient(token);
  expect(r.errors).toBeUndefined();
  expect(r.data?.patient?.id).toBe(t.demo.patientId);
}

async function expectBlocked(token: string): Promise<void> {
  const r = await readPatient(token);
  expect(r.data?.patient ?? null).toBeNull();
  expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
}

/** The audit entries about the demo patient whose actor has this subject, oldest first. */
async function auditOf(sub: string): Promise<AuditPayload[]> {
  const rows = await t.sql<{ seq: string; payload: string }>(
    `select seq, payload from audit.entry
      where patient_id = $1 and (payload::jsonb -> 'actor' ->> 'sub') = $2
      order by seq`,
    [t.demo.patientId, sub],
  );
  return rows.map((r) => ({ ...(JSON.parse(r.payload) as AuditPayload), seq: Number(r.seq) }));
}

/** Asserts a consent deny of a Patient read by `sub`, then a later permit once revoked. */
async function expectDenyThenPermitAudited(sub: string, consentId: string): Promise<void> {
  const entries = (await auditOf(sub)).filter(
    (e) => e.resourceType === 'Patient' && e.action === 'read',
  );
  const deny = entries.find((e) => e.outcome === 'deny');
  expect(deny).toMatchObject({
    actor: { sub },
    patientId: t.demo.patientId,
    action: 'read',
    resourceType: 'Patient',
    outcome: 'deny',
  });
  expect(deny!.reason).toMatch(/consent/);
  const permit = entries.find((e) => e.outcome === 'permit' && e.seq > deny!.seq);
  expect(permit).toMatchObject({ actor: { sub }, patientId: t.demo.patientId, outcome: 'permit' });

  // The consent writes themselves were audited as the patient's create and update of a Consent.
  const writes = (await auditOf('consent-patient')).filter((e) => e.resourceId === consentId);
  expect(writes.map((e) => [e.resourceType, e.action, e.outcome])).toEqual([
    ['Consent', 'create', 'permit'],
    ['Consent', 'update', 'permit'],
  ]);
}

describe('consent deny provisions (through the gateway)', () => {
  it('a deny naming a practitioner blocks that clinician only, until revoked', async () => {
    await joinCareTeam('consent-colleague');
    const named = await clinician('consent-clin-named');
    const colleague = await clinician('consent-clin-colleague', {
      practitionerId: 'consent-colleague',
    });
    await expectReads(named);

    const id = await record({
      scope: 'patient_privacy',
      provisions: [{ type: 'deny', actors: [{ kind: 'practitioner', id: t.demo.practitionerId }] }],
    });
    await expectBlocked(named);
    await expectReads(colleague);

    expect((await revoke(id)).status).toBe('inactive');
    await expectReads(named);
    await expectDenyThenPermitAudited('consent-clin-named', id);
    expect((await auditOf('consent-clin-colleague')).map((e) => e.outcome)).not.toContain('deny');
  });

  it('a deny naming an organisation blocks its clinicians, not those of another', async () => {
    await joinCareTeam('consent-org-blocked');
    await joinCareTeam('consent-org-other');
    const blocked = await clinician('consent-clin-org-blocked', {
      practitionerId: 'consent-org-blocked',
      organizationId: 'org-blocked',
    });
    const other = await clinician('consent-clin-org-other', {
      practitionerId: 'consent-org-other',
      organizationId: 'org-other',
    });
    await expectReads(blocked);

    const id = await record({
      scope: 'patient_privacy',
      provisions: [{ type: 'deny', actors: [{ kind: 'organization', id: 'org-blocked' }] }],
    });
    await expectBlocked(blocked);
    await expectReads(other);

    await revoke(id);
    await expectReads(blocked);
    await expectDenyThenPermitAudited('consent-clin-org-blocked', id);
    expect((await auditOf('consent-clin-org-other')).map((e) => e.outcome)).not.toContain('deny');
  });

  it('a deny naming a client app blocks calls through that app, not the same user elsewhere', async () => {
    const viaBlocked = await t.token('scheduler', {
      sub: 'consent-scheduler',
      clientId: 'app-blocked',
    });
    const viaOther = await t.token('scheduler', {
      sub: 'consent-scheduler',
      clientId: 'app-other',
    });
    await expectReads(viaBlocked);

    const id = await record({
      scope: 'patient_privacy',
      provisions: [{ type: 'deny', actors: [{ kind: 'client', id: 'app-blocked' }] }],
    });
    await expectBlocked(viaBlocked);
    await expectReads(viaOther);

    await revoke(id);
    await expectReads(viaBlocked);

    await expectDenyThenPermitAudited('consent-scheduler', id);
    // Only calls through the blocked app were denied.
    const denials = (await auditOf('consent-scheduler')).filter((e) => e.outcome === 'deny');
    expect(new Set(denials.map((e) => e.actor.clientId))).toEqual(new Set(['app-blocked']));
  });

  it('a consent whose period starts in the future does not block yet', async () => {
    const named = await clinician('consent-clin-future');
    const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString();
    await record({
      scope: 'patient_privacy',
      periodStart: tomorrow,
      provisions: [{ type: 'deny', actors: [{ kind: 'practitioner', id: t.demo.practitionerId }] }],
    });
    await expectReads(named);
  });

  it('a research opt-out (deny HRESCH) does not block treatment reads', async () => {
    const named = await clinician('consent-clin-research');
    await record({
      scope: 'research',
      provisions: [{ type: 'deny', purposes: ['HRESCH'] }],
    });
    await expectReads(named);
    await expectReads(await t.token('scheduler', { sub: 'consent-sched-research' }));
  });

  it('the patient always reads their own record, even under a deny-all consent', async () => {
    await record({ scope: 'patient_privacy', provisions: [{ type: 'deny' }] });
    // The deny-all is in force for everyone else...
    await expectBlocked(await clinician('consent-clin-denyall'));
    await expectBlocked(adminToken);
    // ...but not for the patient.
    await expectReads(patientToken);
  });

  it('Patient.consents shows a consent active, then inactive once revoked', async () => {
    const id = await record({
      scope: 'treatment',
      provisions: [{ type: 'permit', purposes: ['TREAT'] }],
    });
    const consentsOf = async () => {
      const r = await t.gql<{ patient: { consents: ConsentView[] } }>(
        patientToken,
        /* GraphQL */ `
          query ($id: ID!) {
            patient(id: $id) {
              consents {
                id
                status
                revokedAt
              }
            }
          }
        `,
        { id: t.demo.patientId },
      );
      expect(r.errors).toBeUndefined();
      return r.data!.patient.consents.find((c) => c.id === id);
    };
    expect(await consentsOf()).toEqual({ id, status: 'active', revokedAt: null });
    const revoked = await revoke(id);
    expect(revoked.status).toBe('inactive');
    const after = await consentsOf();
    expect(after).toMatchObject({ id, status: 'inactive' });
    expect(after?.revokedAt).toEqual(expect.any(String));
  });
});

describe('a consent whose lists the client sent as null', () => {
  it('reads null lists as "any": the named practitioner is blocked, others read, nothing crashes', async () => {
    const other = 'consent-null-other';
    await joinCareTeam(other);
    const named = await clinician('consent-null-named');
    const colleague = await clinician('consent-null-colleague', { practitionerId: other });
    await record({
      scope: 'patient_privacy',
      provisions: [
        {
          type: 'deny',
          actors: [{ kind: 'practitioner', id: t.demo.practitionerId }],
          purposes: null as unknown as string[],
          dataClasses: null as unknown as string[],
        },
      ],
    });
    await expectBlocked(named);
    await expectReads(colleague);
    await expectReads(patientToken);
  });
});
