import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoOverrides, startTestStack, type TestStack } from './support/stack.js';
import { textPartnerClients } from './support/clients.js';

/** Paths around the policy that a careful attacker would try, each closed. */
let t: TestStack;
let admin: string;
let patient: string;

beforeAll(async () => {
  t = await startTestStack(
    'escalation',
    textPartnerClients(['partner-demo-app', 'partner-system', 'front-desk-kiosk']),
  );
  admin = await t.token('admin');
  patient = await t.token('patient', demoOverrides(t).patient);
});
afterAll(() => t?.stop());

const auditRows = async (where: string, params: unknown[]) =>
  (
    await t.sql<{ payload: string }>(
      `select payload from audit.entry where ${where} order by seq`,
      params,
    )
  ).map((r) => JSON.parse(r.payload) as Record<string, unknown>);

async function recordConsent(input: object): Promise<string> {
  const r = await t.gql<{ recordConsent: { id: string } }>(
    patient,
    'mutation ($p: ID!, $i: RecordConsentInput!) { recordConsent(patientId: $p, input: $i) { id } }',
    { p: t.demo.patientId, i: input },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.recordConsent.id;
}

describe('break-the-glass', () => {
  it('opens reading only: the clinician cannot join the care team with it', async () => {
    const outsider = await t.token('clinician', { practitionerId: t.demo.otherPractitionerId });
    const target = t.demo.patientId;
    const glass = await t.gql(
      outsider,
      'mutation ($p: ID!) { breakTheGlass(patientId: $p, reason: "Collapsed in the waiting room") { id } }',
      {
        p: target,
      },
    );
    expect(glass.errors).toBeUndefined();
    expect((await t.gql(outsider, `{ patient(id: "${target}") { id } }`)).errors).toBeUndefined();
    const join = await t.gql(
      outsider,
      'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "attending") { id } }',
      { p: target, pr: t.demo.otherPractitionerId },
    );
    expect(join.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const update = await t.gql(
      outsider,
      'mutation ($p: ID!) { updatePatient(id: $p, expectedVersion: 1, input: { gender: other }) { version } }',
      { p: target },
    );
    expect(update.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('consent revocation', () => {
  it('an actor a consent denies cannot revoke it; the patient can', async () => {
    const id = await recordConsent({
      scope: 'patient_privacy',
      provisions: [
        { type: 'deny', actors: [{ kind: 'role', id: 'admin' }], dataClasses: ['Patient'] },
      ],
    });
    expect(
      (await t.gql(admin, `{ patient(id: "${t.demo.patientId}") { id } }`)).errors?.[0]?.extensions
        ?.code,
    ).toBe('FORBIDDEN');
    const revoke = 'mutation ($c: ID!) { revokeConsent(consentId: $c) { status } }';
    const byAdmin = await t.gql(admin, revoke, { c: id });
    expect(byAdmin.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(
      await auditRows(`payload::jsonb ->> 'reason' = 'denied:named-in-consent'`, []),
    ).toHaveLength(1);
    expect(
      (await t.gql(admin, `{ patient(id: "${t.demo.patientId}") { id } }`)).errors?.[0]?.extensions
        ?.code,
    ).toBe('FORBIDDEN');
    const byPatient = await t.gql<{ revokeConsent: { status: string } }>(patient, revoke, {
      c: id,
    });
    expect(byPatient.data?.revokeConsent.status).toBe('inactive');
    expect(
      (await t.gql(admin, `{ patient(id: "${t.demo.patientId}") { id } }`)).errors,
    ).toBeUndefined();
  });
});

describe('care-team links', () => {
  it('need a CareTeam scope and pass consent, and each read is audited', async () => {
    const noScope = await t.token('partner', {
      patientId: t.demo.patientId,
      scopes: ['patient/Patient.rs'],
    });
    const r = await t.gql<{ patient: { careTeam: unknown } }>(
      noScope,
      `{ patient(id: "${t.demo.patientId}") { id careTeam { role } } }`,
    );
    expect(r.data?.patient.careTeam ?? null).toBeNull();
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const scheduler = await t.token('scheduler', { clientId: 'front-desk-kiosk' });
    const id = await recordConsent({
      scope: 'patient_privacy',
      provisions: [
        {
          type: 'deny',
          actors: [{ kind: 'client', id: 'front-desk-kiosk' }],
          dataClasses: ['CareTeam'],
        },
      ],
    });
    const hidden = await t.gql<{ patient: { id: string; careTeam: unknown[] } }>(
      scheduler,
      `{ patient(id: "${t.demo.patientId}") { id careTeam { role } } }`,
    );
    expect(hidden.data?.patient).toEqual({ id: t.demo.patientId, careTeam: [] });
    const denials = await auditRows(
      `payload::jsonb ->> 'resourceType' = 'CareTeam' and payload::jsonb ->> 'outcome' = 'deny'`,
      [],
    );
    expect(
      denials.some((d) => (d.actor as { clientId: string }).clientId === 'front-desk-kiosk'),
    ).toBe(true);
    await t.gql(patient, 'mutation ($c: ID!) { revokeConsent(consentId: $c) { status } }', {
      c: id,
    });
    const shown = await t.gql<{ patient: { careTeam: unknown[] } }>(
      scheduler,
      `{ patient(id: "${t.demo.patientId}") { careTeam { role } } }`,
    );
    expect(shown.data!.patient.careTeam.length).toBeGreaterThan(0);
  });
});

describe('search and paging', () => {
  it('a consent-hidden match leaves no trace in the page: no edge, no cursor, no next page', async () => {
    const mrn = (
      await t.gql<{ patient: { mrn: string } }>(
        admin,
        `{ patient(id: "${t.demo.patientId}") { mrn } }`,
      )
    ).data!.patient.mrn;
    const billing = await t.token('billing');
    const id = await recordConsent({
      scope: 'patient_privacy',
      provisions: [{ type: 'deny', actors: [{ kind: 'role', id: 'billing' }] }],
    });
    const hidden = await t.gql<{ patients: unknown }>(
      billing,
      `{ patients(mrn: "${mrn}") { edges { cursor } pageInfo { hasNextPage endCursor } } }`,
    );
    const missing = await t.gql<{ patients: unknown }>(
      billing,
      '{ patients(mrn: "NO-SUCH-MRN") { edges { cursor } pageInfo { hasNextPage endCursor } } }',
    );
    expect(hidden.data).toEqual(missing.data);
    expect(hidden.data).toEqual({
      patients: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
    await t.gql(patient, 'mutation ($c: ID!) { revokeConsent(consentId: $c) { status } }', {
      c: id,
    });
  });

  it('a refused read and a missing record look the same to staff', async () => {
    const billing = await t.token('billing');
    const id = await recordConsent({
      scope: 'patient_privacy',
      provisions: [{ type: 'deny', actors: [{ kind: 'role', id: 'billing' }] }],
    });
    const refused = await t.gql(billing, `{ patient(id: "${t.demo.patientId}") { id } }`);
    const missing = await t.gql(
      billing,
      '{ patient(id: "00000000-0000-4000-8000-000000000000") { id } }',
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(missing.errors?.[0]).toEqual(refused.errors?.[0]);
    await t.gql(patient, 'mutation ($c: ID!) { revokeConsent(consentId: $c) { status } }', {
      c: id,
    });
  });

  it('history versions cannot be nested into more history', async () => {
    const r = await t.gql(
      admin,
      `{ patient(id: "${t.demo.patientId}") { history { record { history { version } } } } }`,
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('partner apps', () => {
  it('without a patient context reach records only through system/ scopes', async () => {
    // A client-credentials app: no patient, no person.
    const app = (scopes: string[]) =>
      t.stack.devIssuer!.sign({
        sub: 'partner-system',
        roles: ['partner'],
        scopes,
        clientId: 'partner-system',
        purposeOfUse: 'HOPERAT',
      });
    const userScoped = await app(['user/Patient.rs']);
    const r = await t.gql(userScoped, `{ patient(id: "${t.demo.patientId}") { id } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const systemScoped = await app(['system/Patient.rs']);
    const ok = await t.gql<{ patient: { id: string } }>(
      systemScoped,
      `{ patient(id: "${t.demo.patientId}") { id } }`,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.patient.id).toBe(t.demo.patientId);
  });
});

describe('refusals in the audit log', () => {
  it('record the patient only for a well-formed id, so no one can write into any record’s log', async () => {
    const researcher = await t.token('researcher', { sub: 'researcher-forger' });
    await t.gql(researcher, '{ accessLog(patientId: "not-a-uuid") { edges { cursor } } }');
    await t.gql(
      researcher,
      `{ accessLog(patientId: "${t.demo.otherPatientId}") { edges { cursor } } }`,
    );
    const rows = await auditRows(`payload::jsonb -> 'actor' ->> 'sub' = $1`, ['researcher-forger']);
    expect(rows.map((r) => [r.outcome, r.patientId ?? null])).toEqual([
      ['deny', null],
      ['deny', t.demo.otherPatientId],
    ]);
  });
});

describe('the audit log’s owner', () => {
  it('is a role that cannot log in, so its SECURITY DEFINER functions do not run as a superuser', async () => {
    const rows = await t.sql<{ owner: string; login: boolean; superuser: boolean }>(
      `select r.rolname owner, r.rolcanlogin login, r.rolsuper superuser
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_roles r on r.oid = p.proowner
        where n.nspname = 'audit'
        union
       select r.rolname, r.rolcanlogin, r.rolsuper from pg_class c join pg_namespace n on n.oid = c.relnamespace
         join pg_roles r on r.oid = c.relowner where n.nspname = 'audit' and c.relname = 'entry'`,
    );
    expect(rows).toEqual([
      { owner: `${t.config.DB_ROLE_PREFIX}_audit`, login: false, superuser: false },
    ]);
  });
});

describe('a research opt-out', () => {
  it('keeps care going: a research deny without purposes blocks no clinician, and admin may still read', async () => {
    const id = await recordConsent({ scope: 'research', provisions: [{ type: 'deny' }] });
    const clinician = await t.token('clinician', demoOverrides(t).clinician);
    expect(
      (await t.gql(clinician, `{ patient(id: "${t.demo.patientId}") { id } }`)).errors,
    ).toBeUndefined();
    expect(
      (await t.gql(admin, `{ patient(id: "${t.demo.patientId}") { id } }`)).errors,
    ).toBeUndefined();
    await t.gql(patient, 'mutation ($c: ID!) { revokeConsent(consentId: $c) { status } }', {
      c: id,
    });
  });
});
