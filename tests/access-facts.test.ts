import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BreakGlassGrantEntity } from '../subgraphs/patient/entities/index.js';
import { publishGrant, republishAccessFacts } from '../subgraphs/patient/events.js';
import { newPatient, visit } from './support/billing.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * One set of access facts everywhere: care-team links and break-the-glass
 * grants made in the patient subgraph reach scheduling and billing by event
 * (platform/authz/access-facts) and one kernel decides from them
 * (platform/authz/record-access.ts). Over real HTTP through the gateway and
 * the real event worker.
 */
let t: TestStack;
let admin: string;

beforeAll(async () => {
  t = await startTestStack('access-facts');
  admin = await t.token('admin');
});
afterAll(() => t?.stop());

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what}: never happened`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}

const practitioner = () => `prac-${randomBytes(5).toString('hex')}`;
const clinician = (practitionerId: string) =>
  t.token('clinician', { practitionerId, sub: `user-${practitionerId}` });

const READ_APPOINTMENT = 'query ($id: ID!) { appointment(id: $id) { id status } }';
const PATIENT_APPOINTMENTS = /* GraphQL */ `
  query ($id: ID!) {
    patient(id: $id) {
      id
      appointments(first: 20) {
        edges {
          node {
            id
          }
        }
      }
    }
  }
`;

/** Whether the clinician reads the appointment in scheduling (true), or is refused (false). */
async function readsAppointment(token: string, id: string): Promise<boolean> {
  const r = await t.gql<{ appointment: { id: string } | null }>(token, READ_APPOINTMENT, { id });
  expect(r.status).toBeLessThan(500);
  if (r.data?.appointment?.id === id) return true;
  expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  return false;
}

/** The appointment ids the clinician gets on `Patient.appointments`, or null when the patient is refused. */
async function listed(token: string, patientId: string): Promise<string[] | null> {
  const r = await t.gql<{ patient: { appointments: { edges: { node: { id: string } }[] } } }>(
    token,
    PATIENT_APPOINTMENTS,
    { id: patientId },
  );
  expect(r.status).toBeLessThan(500);
  if (!r.data?.patient) return null;
  expect(r.errors).toBeUndefined();
  return r.data.patient.appointments.edges.map((e) => e.node.id);
}

async function addToTeam(patientId: string, practitionerId: string): Promise<string> {
  const r = await t.gql<{ addCareTeamMember: { id: string } }>(
    admin,
    'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "attending") { id } }',
    { p: patientId, pr: practitionerId },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.addCareTeamMember.id;
}

async function removeFromTeam(patientId: string, practitionerId: string): Promise<void> {
  const r = await t.gql<{ removeCareTeamMember: boolean }>(
    admin,
    'mutation ($p: ID!, $pr: ID!) { removeCareTeamMember(patientId: $p, practitionerId: $pr) }',
    { p: patientId, pr: practitionerId },
  );
  expect(r.data?.removeCareTeamMember).toBe(true);
}

const openLink = async (schema: string, linkId: string): Promise<boolean> =>
  (
    await t.sql(`SELECT 1 FROM ${schema}.care_team_projection WHERE id = $1 AND until IS NULL`, [
      linkId,
    ])
  ).length === 1;

interface AuditRow {
  actor: { sub: string; roles: string[] };
  resourceType: string;
  resourceId?: string;
  action: string;
  outcome: string;
  purpose: string;
  emergency?: boolean;
  reason?: string;
  requestId: string;
}

/** The audit entries about a patient of one resource type, oldest first. */
async function audited(patientId: string, resourceType: string): Promise<AuditRow[]> {
  const rows = await t.sql<{ payload: string }>(
    `SELECT payload FROM audit.entry
      WHERE patient_id = $1 AND payload::jsonb ->> 'resourceType' = $2 ORDER BY seq`,
    [patientId, resourceType],
  );
  return rows.map((r) => JSON.parse(r.payload) as AuditRow);
}

async function breakTheGlass(token: string, patientId: string): Promise<string> {
  const r = await t.gql<{ breakTheGlass: { id: string } }>(
    token,
    'mutation ($p: ID!) { breakTheGlass(patientId: $p, reason: "Unconscious patient in the ED") { id } }',
    { p: patientId },
  );
  expect(r.errors).toBeUndefined();
  return r.data!.breakTheGlass.id;
}

describe('the care team means one thing in every subgraph', () => {
  it('a clinician on the care team reads the patient’s appointments with anyone; off the team they do not; removing the link removes it everywhere', async () => {
    const patientId = await newPatient(t, 'care-team');
    // Booked with another practitioner: only the care team (or that practitioner) reaches it.
    const appointmentId = await visit(t, patientId, 'cancelled', t.demo.otherPractitionerId);
    const me = practitioner();
    const token = await clinician(me);

    // Off the team: refused in the patient subgraph and in scheduling, each refusal audited.
    expect(await listed(token, patientId)).toBeNull();
    expect(await readsAppointment(token, appointmentId)).toBe(false);
    const denials = (await audited(patientId, 'Appointment')).filter(
      (e) => e.actor.sub === `user-${me}`,
    );
    expect(denials).toEqual([
      expect.objectContaining({ outcome: 'deny', reason: 'denied:compartment', action: 'read' }),
    ]);

    // On the team (a link made in the patient subgraph): scheduling lets them in once the event lands.
    const linkId = await addToTeam(patientId, me);
    await waitFor('scheduling learns the link', () => openLink('scheduling', linkId));
    await waitFor('billing learns the link', () => openLink('billing', linkId));
    expect(await listed(token, patientId)).toEqual([appointmentId]);
    expect(await readsAppointment(token, appointmentId)).toBe(true);
    const permits = (await audited(patientId, 'Appointment')).filter(
      (e) => e.actor.sub === `user-${me}` && e.outcome === 'permit',
    );
    expect(permits.map((e) => e.action).sort()).toEqual(['read', 'search']);
    expect(permits.every((e) => !e.emergency)).toBe(true);

    // Removed: refused again in every subgraph, as soon as the change reaches each projection.
    const removedAt = Date.now();
    await removeFromTeam(patientId, me);
    expect(await listed(token, patientId)).toBeNull();
    await waitFor(
      'scheduling learns the link ended',
      async () => !(await openLink('scheduling', linkId)),
    );
    await waitFor(
      'billing learns the link ended',
      async () => !(await openLink('billing', linkId)),
    );
    const lag = Date.now() - removedAt;
    expect(await readsAppointment(token, appointmentId)).toBe(false);
    console.info(`care-team removal reached scheduling and billing within ${lag} ms`);

    // An ended link is final: an "open" state of it arriving later, even stamped later (two
    // changes on one request's clock, a removal that started before the add committed), is ignored.
    const [since] = await t.sql<{ since: string }>(
      `SELECT to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS since
         FROM patient.care_team_member WHERE id = $1`,
      [linkId],
    );
    const stale = {
      id: randomUUID(),
      type: 'care-team.changed',
      aggregateId: linkId,
      occurredAt: new Date(Date.now() + 60_000).toISOString(),
      data: {
        linkId,
        patientId,
        practitionerId: me,
        role: 'attending',
        since: since!.since,
        until: null,
      },
    };
    await t.sql("SELECT graphile_worker.add_job('scheduling:access-facts', $1::json)", [
      JSON.stringify(stale),
    ]);
    await waitFor(
      'scheduling applies the stale event',
      async () =>
        (await t.sql('SELECT 1 FROM scheduling.inbox WHERE event_id = $1', [stale.id])).length ===
        1,
    );
    expect(await openLink('scheduling', linkId)).toBe(false);
    expect(await readsAppointment(token, appointmentId)).toBe(false);
  });

  it('a clinician who registers a patient is on their care team in scheduling too', async () => {
    const me = practitioner();
    const token = await clinician(me);
    const created = await t.gql<{ createPatient: { id: string } }>(
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
          mrn: `AF-${randomBytes(4).toString('hex')}`,
          name: { family: 'Registered', given: ['By', 'Clinician'] },
          birthDate: '1981-01-01',
          gender: 'male',
        },
      },
    );
    expect(created.errors).toBeUndefined();
    const patientId = created.data!.createPatient.id;
    const [link] = await t.sql<{ id: string }>(
      'SELECT id FROM patient.care_team_member WHERE patient_id = $1 AND practitioner_id = $2',
      [patientId, me],
    );
    await waitFor('scheduling learns the link', () => openLink('scheduling', link!.id));
    const appointmentId = await visit(t, patientId, 'cancelled', t.demo.otherPractitionerId);
    expect(await readsAppointment(token, appointmentId)).toBe(true);
    expect(await listed(token, patientId)).toEqual([appointmentId]);
    // The team and the consents, read by the kernel's batched loader, are audited against the record.
    const fields = await t.gql(
      token,
      'query ($id: ID!) { patient(id: $id) { careTeam { practitionerId } consents { id } } }',
      { id: patientId },
    );
    expect(fields.errors).toBeUndefined();
    for (const resourceType of ['CareTeam', 'Consent'])
      expect((await audited(patientId, resourceType)).at(-1)).toMatchObject({
        actor: { sub: `user-${me}` },
        action: 'read',
        outcome: 'permit',
        resourceId: patientId,
      });
  });

  it('the clinician of an appointment reaches that appointment by scheduling’s own named fact, not the patient’s other ones', async () => {
    const patientId = await newPatient(t, 'appointment-clinician');
    const theirs = await visit(t, patientId, 'cancelled', t.demo.otherPractitionerId);
    const other = await visit(t, patientId, 'cancelled', t.demo.practitionerId);
    const token = await clinician(t.demo.otherPractitionerId);
    expect(await readsAppointment(token, theirs)).toBe(true);
    expect(await readsAppointment(token, other)).toBe(false);
  });
});

describe('care-team writes under concurrency', () => {
  it('two removals of one link at once end it once: one delete and one event, the other audited as a read', async () => {
    const patientId = await newPatient(t, 'concurrent-removal');
    const me = practitioner();
    const linkId = await addToTeam(patientId, me);
    const removals = await Promise.all(
      [1, 2].map(() =>
        t.gql<{ removeCareTeamMember: boolean }>(
          admin,
          'mutation ($p: ID!, $pr: ID!) { removeCareTeamMember(patientId: $p, practitionerId: $pr) }',
          { p: patientId, pr: me },
        ),
      ),
    );
    for (const r of removals) expect(r.errors).toBeUndefined();
    const actions = (await audited(patientId, 'CareTeam'))
      .filter((e) => e.resourceId === linkId)
      .map((e) => e.action)
      .sort();
    const removedBoth = removals.every((r) => r.data?.removeCareTeamMember === true);
    // Either both saw the open link (one ends it, the other replays as a read), or the
    // second came after the first committed and found no open link (false, nothing written).
    expect(actions).toEqual(removedBoth ? ['create', 'delete', 'read'] : ['create', 'delete']);
    const events = await t.sql<{ until: string | null }>(
      "SELECT payload ->> 'until' AS until FROM patient.outbox WHERE aggregate_id = $1 AND type = 'care-team.changed' ORDER BY occurred_at",
      [linkId],
    );
    expect(events.map((e) => e.until === null)).toEqual([true, false]);
  });
});

describe('break-the-glass opens every subgraph where policy allows, and expires there too', () => {
  it('a grant made in the patient subgraph opens scheduling (audited as emergency access) but not billing, whose policy keeps clinicians out', async () => {
    const patientId = await newPatient(t, 'glass');
    const appointmentId = await visit(t, patientId, 'cancelled', t.demo.otherPractitionerId);
    const me = practitioner();
    const token = await clinician(me);
    expect(await readsAppointment(token, appointmentId)).toBe(false);

    const grantId = await breakTheGlass(token, patientId);
    const projected = (schema: string) => async () =>
      (await t.sql(`SELECT 1 FROM ${schema}.break_glass_projection WHERE id = $1`, [grantId]))
        .length === 1;
    await waitFor('scheduling learns the grant', projected('scheduling'));
    await waitFor('billing learns the grant', projected('billing'));

    expect(await readsAppointment(token, appointmentId)).toBe(true);
    expect(await listed(token, patientId)).toEqual([appointmentId]);
    const emergency = (await audited(patientId, 'Appointment')).filter(
      (e) => e.actor.sub === `user-${me}` && e.outcome === 'permit',
    );
    expect(emergency.length).toBe(2);
    for (const e of emergency)
      expect(e).toMatchObject({ emergency: true, purpose: 'ETREAT', reason: 'break-glass' });

    // Billing holds the grant but its role policy (minimum necessary) refuses clinicians.
    const balance = await t.gql(
      token,
      'query ($id: ID!) { patient(id: $id) { balance { amount } } }',
      {
        id: patientId,
      },
    );
    expect(balance.data?.patient ?? null).not.toBeNull();
    expect(balance.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(balance.errors?.[0]?.path).toEqual(['patient', 'balance']);
  });

  it('a grant that expires closes scheduling again without any further event', async () => {
    const patientId = await newPatient(t, 'glass-expiry');
    const appointmentId = await visit(t, patientId, 'cancelled', t.demo.otherPractitionerId);
    const me = practitioner();
    const token = await clinician(me);
    // A grant of a few seconds, given by the patient subgraph's own store and event.
    const grant = await t.stack
      .subgraph('patient')
      .orm.em.fork()
      .transactional(async (em) => {
        const id = randomUUID();
        const g = em.create(BreakGlassGrantEntity, {
          id,
          patientId,
          practitionerId: me,
          reason: await t.stack.subgraph('patient').cipher.encrypt(em, 'Short test grant', {
            table: 'patient.break_glass_grant',
            column: 'reason',
            rowId: id,
          }),
          grantedAt: new Date(),
          expiresAt: new Date(Date.now() + 4_000),
        });
        await em.persist(g).flush();
        await publishGrant(em, g);
        return g;
      });
    await waitFor('scheduling learns the grant', async () =>
      readsAppointment(token, appointmentId),
    );
    await waitFor(
      'the grant lapses in scheduling',
      async () => !(await readsAppointment(token, appointmentId)),
      grant.expiresAt.getTime() - Date.now() + 5_000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(grant.expiresAt.getTime());
    const last = (await audited(patientId, 'Appointment')).at(-1)!;
    expect(last).toMatchObject({ outcome: 'deny', reason: 'denied:compartment' });
  });
});

describe('a subgraph deployed after the facts exist decides correctly once back-filled', () => {
  it('access-facts:republish brings care-team links, grants and consents into an empty projection', async () => {
    const teamPatient = await newPatient(t, 'backfill-team');
    const teamVisit = await visit(t, teamPatient, 'cancelled', t.demo.otherPractitionerId);
    const member = practitioner();
    const linkId = await addToTeam(teamPatient, member);

    const glassPatient = await newPatient(t, 'backfill-glass');
    const glassVisit = await visit(t, glassPatient, 'cancelled', t.demo.otherPractitionerId);
    const responder = practitioner();
    const grantId = await breakTheGlass(await clinician(responder), glassPatient);

    // A deny of the appointment's own clinician, recorded by the patient.
    const denyPatient = await newPatient(t, 'backfill-deny');
    const denyVisit = await visit(t, denyPatient, 'cancelled', t.demo.otherPractitionerId);
    const consent = await t.gql<{ recordConsent: { id: string } }>(
      await t.token('patient', {
        patientId: denyPatient,
        sub: `p-${randomBytes(4).toString('hex')}`,
      }),
      'mutation ($p: ID!, $pr: ID!) { recordConsent(patientId: $p, input: { scope: treatment, provisions: [{ type: deny, actors: [{ kind: practitioner, id: $pr }] }] }) { id } }',
      { p: denyPatient, pr: t.demo.otherPractitionerId },
    );
    expect(consent.errors).toBeUndefined();
    const consentId = consent.data!.recordConsent.id;
    await waitFor('scheduling learns all three', async () => {
      const n = await t.sql(
        `SELECT id FROM scheduling.care_team_projection WHERE id = $1
         UNION ALL SELECT id FROM scheduling.break_glass_projection WHERE id = $2
         UNION ALL SELECT id FROM scheduling.consent_projection WHERE id = $3`,
        [linkId, grantId, consentId],
      );
      return n.length === 3;
    });

    // As a scheduling deployed after all three: its projections know nothing.
    for (const table of ['care_team_projection', 'break_glass_projection', 'consent_projection'])
      await t.sql(`DELETE FROM scheduling.${table}`);
    const memberToken = await clinician(member);
    const responderToken = await clinician(responder);
    const ownClinician = await clinician(t.demo.otherPractitionerId);
    expect(await readsAppointment(memberToken, teamVisit)).toBe(false);
    expect(await readsAppointment(responderToken, glassVisit)).toBe(false);
    expect(await readsAppointment(ownClinician, denyVisit)).toBe(true);

    const counts = await republishAccessFacts(t.stack.subgraph('patient').orm.em.fork(), [
      'scheduling:access-facts',
    ]);
    expect(counts.consents).toBeGreaterThanOrEqual(1);
    expect(counts.careTeamLinks).toBeGreaterThanOrEqual(2);
    expect(counts.grants).toBeGreaterThanOrEqual(1);
    await waitFor('the back-fill lands', async () => {
      const n = await t.sql('SELECT count(*)::int AS n FROM scheduling.care_team_projection');
      return (n[0] as { n: number }).n >= counts.careTeamLinks;
    });
    await waitFor('the grant lands', async () => readsAppointment(responderToken, glassVisit));
    await waitFor(
      'the consent lands',
      async () => !(await readsAppointment(ownClinician, denyVisit)),
    );
    expect(await readsAppointment(memberToken, teamVisit)).toBe(true);
    expect(await openLink('scheduling', linkId)).toBe(true);

    // Only the named consumer was sent them: billing still holds exactly one copy of each fact.
    const [billing] = await t.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM billing.care_team_projection WHERE id = $1',
      [linkId],
    );
    expect(billing!.n).toBe(1);
  });
});

describe('one role’s reach never lends another role its rights', () => {
  it('a token that is a clinician and a patient reads its own account, never a care-team patient’s', async () => {
    const own = await newPatient(t, 'dual-own');
    const other = await newPatient(t, 'dual-other');
    const me = practitioner();
    const linkId = await addToTeam(other, me);
    await waitFor('billing learns the link', () => openLink('billing', linkId));
    const token = await t.token('clinician', {
      roles: ['clinician', 'patient'],
      patientId: own,
      practitionerId: me,
      sub: `dual-${me}`,
      scopes: ['user/*.cruds', 'patient/*.cruds'],
    });
    const balance = (id: string) =>
      t.gql<{ patient: { id: string; balance: { amount: string } | null } | null }>(
        token,
        'query ($id: ID!) { patient(id: $id) { id balance { amount } } }',
        { id },
      );
    const mine = await balance(own);
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.patient?.balance).toEqual({ amount: '0.00' });
    // The clinician role reaches the other patient (care team) and may read their record, but
    // billing's patient role applies to its own account only: no balance, and the refusal audited.
    const theirs = await balance(other);
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data?.patient?.id).toBe(other);
    expect(theirs.data?.patient?.balance).toBeNull();
    expect((await audited(other, 'Account')).at(-1)).toMatchObject({
      actor: { sub: `dual-${me}` },
      outcome: 'deny',
      reason: 'denied:compartment',
    });
    const pay = await t.gql(
      token,
      'mutation ($i: TakePaymentInput!) { takePayment(input: $i) { id } }',
      {
        i: {
          patientId: other,
          amount: { amount: '5.00', currency: 'USD' },
          idempotencyKey: `dual-${randomBytes(6).toString('hex')}`,
        },
      },
    );
    expect(pay.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await t.sql('SELECT 1 FROM billing.payment WHERE patient_id = $1', [other])).toEqual([]);
  });
});
