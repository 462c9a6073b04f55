import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_IDS, DEV_SCOPES } from '../../platform/identity/dev-principal.js';
import { accessMatrix, outcome, type MatrixOperation } from '../support/access-matrix.js';
import { textPartnerClients } from '../support/clients.js';
import { WITH_FACILITIES, startTestStack, untilKnown, type TestStack } from '../support/stack.js';

/**
 * Who reaches care routing, through the gateway, against
 * subgraphs/care-routing/permissions.ts (the shield) and access.ts (the
 * kernel): the directory and recommendations from a place (no PHI: any
 * signed-in caller but a researcher, partner apps included), a patient's care options and
 * preferences (PHI: clinicians in compartment or under break-the-glass,
 * the front desk, the patient and their app), the preference write (the
 * patient and their app, with Patient.u; a refused one writes nothing), the
 * status and traffic reports (staff and feeds); a deny consent; and an audit
 * entry for every decision on a patient.
 */
let t: TestStack;
/** A fresh patient with a Kansas address, on the demo clinician's care team. */
let P: string;
/** Another fresh patient with a Kansas address, on no one's care team. */
let Q: string;
let admin: string;
let TEAM: string;
let OUTSIDE: string;
const GLASS = randomUUID();
const DENIED = randomUUID();
/** A partner system feeding status and traffic (system/Location.u, no patient). */
const FEED_APP = 'routing-access-feed';

/** OVERLAND PARK REG MED CTR: a demo Location, linked to the directory hospital. */
const LOCATION = '7cf6ad8f-30a6-33bb-8fe0-6f688207a213';
const OVERLAND_PARK = { latitude: 38.9822, longitude: -94.6708 };

type Actor =
  | 'patient'
  | 'otherPatient'
  | 'clinician'
  | 'outsideClinician'
  | 'glassClinician'
  | 'partner'
  | 'otherPartner'
  | 'feed'
  | 'pharmacist'
  | 'scheduler'
  | 'billing'
  | 'admin'
  | 'researcher'
  | 'auditor';
const ACTORS: Actor[] = [
  'patient',
  'otherPatient',
  'clinician',
  'outsideClinician',
  'glassClinician',
  'partner',
  'otherPartner',
  'feed',
  'pharmacist',
  'scheduler',
  'billing',
  'admin',
  'researcher',
  'auditor',
];
const tokens = new Map<Actor, string>();
const tokenOf = (a: Actor): string => tokens.get(a)!;
const subOf = (a: Actor) => `routing-access-${a}`;

/** Who may read P's care options and preferences (the kernel's rule, access.ts). */
const P_READERS: Actor[] = ['patient', 'clinician', 'glassClinician', 'partner', 'scheduler'];
/** Who may read Q's (on no care team): Q, Q's app, the front desk. */
const Q_READERS: Actor[] = ['otherPatient', 'otherPartner', 'scheduler'];
/** Who may set P's preferences: P and P's app (with Patient.u). */
const P_WRITERS: Actor[] = ['patient', 'partner'];
const STATUS_REPORTERS: Actor[] = [
  'clinician',
  'outsideClinician',
  'glassClinician',
  'admin',
  'feed',
];
const TRAFFIC_REPORTERS: Actor[] = ['admin', 'feed'];
/** Who may read the directory (no PHI): any signed-in caller but a researcher, who reaches open data only. */
const DIRECTORY_READERS: Actor[] = ACTORS.filter((a) => a !== 'researcher');

async function ok<T>(token: string, query: string, variables: object = {}): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const projected = (table: string, column: string, value: string) => async () =>
  (await t.sql(`SELECT 1 FROM routing.${table} WHERE ${column} = $1`, [value])).length > 0;

async function register(mrn: string, given: string, zip: string): Promise<string> {
  const { createPatient } = await ok<{ createPatient: { id: string } }>(
    admin,
    'mutation ($i: CreatePatientInput!) { createPatient(input: $i) { id } }',
    {
      i: {
        mrn,
        name: { family: 'Routing', given: [given] },
        birthDate: '1961-02-03',
        gender: 'female',
        address: [
          {
            line: ['1 Main St'],
            city: 'Overland Park',
            state: 'KS',
            postalCode: zip,
            country: 'US',
          },
        ],
      },
    },
  );
  return createPatient.id;
}

async function joinCareTeam(patientId: string, practitionerId: string): Promise<void> {
  const { addCareTeamMember } = await ok<{ addCareTeamMember: { id: string } }>(
    admin,
    'mutation ($p: ID!, $pr: ID!) { addCareTeamMember(patientId: $p, practitionerId: $pr, role: "primary-care") { id } }',
    { p: patientId, pr: practitionerId },
  );
  await waitFor(
    'the care-team link in care routing',
    projected('care_team_projection', 'id', addCareTeamMember.id),
  );
}

beforeAll(async () => {
  t = await startTestStack('routing-access', {
    ...WITH_FACILITIES,
    ...textPartnerClients([DEV_IDS.partnerClient, FEED_APP]),
  });
  TEAM = t.demo.practitionerId;
  OUTSIDE = t.demo.otherPractitionerId;
  admin = await t.token('admin', { sub: 'routing-access-setup' });
  // A Kansas ZIP with a centroid: the demo hospital's own.
  const [zip] = await t.sql<{ zip: string }>(
    `SELECT f.zip FROM routing.facility f
       JOIN routing.facility_location l ON l.facility_id = f.id
       JOIN routing.zip_centroid z ON z.zip = f.zip
      WHERE l.location_id = $1`,
    [LOCATION],
  );
  expect(zip?.zip).toMatch(/^6[67][0-9]{3}$/);
  P = await register('ROUTING-ACCESS-P', 'Pat', zip!.zip);
  Q = await register('ROUTING-ACCESS-Q', 'Quinn', zip!.zip);
  await untilKnown(t, [P, Q]);
  await waitFor(
    'P and Q in care routing',
    async () =>
      (await t.sql('SELECT 1 FROM routing.patient_projection WHERE id = ANY($1::uuid[])', [[P, Q]]))
        .length === 2,
  );
  await joinCareTeam(P, TEAM);
  await joinCareTeam(P, DENIED);

  // Patients and their apps may write their own preferences: Patient.u.
  const patientScopes = [...DEV_SCOPES.patient.split(' '), 'patient/Patient.u'];
  const partnerScopes = ['patient/Patient.rs', 'patient/Patient.u'];
  const clinician = (practitionerId: string, sub: string) =>
    t.token('clinician', { practitionerId, sub });
  const made: [Actor, Promise<string>][] = [
    ['patient', t.token('patient', { patientId: P, sub: subOf('patient'), scopes: patientScopes })],
    [
      'otherPatient',
      t.token('patient', { patientId: Q, sub: subOf('otherPatient'), scopes: patientScopes }),
    ],
    ['clinician', clinician(TEAM, subOf('clinician'))],
    ['outsideClinician', clinician(OUTSIDE, subOf('outsideClinician'))],
    ['glassClinician', clinician(GLASS, subOf('glassClinician'))],
    ['partner', t.token('partner', { patientId: P, sub: subOf('partner'), scopes: partnerScopes })],
    [
      'otherPartner',
      t.token('partner', { patientId: Q, sub: subOf('otherPartner'), scopes: partnerScopes }),
    ],
    [
      'feed',
      t.stack.devIssuer!.sign({
        sub: subOf('feed'),
        roles: ['partner'],
        scopes: ['system/Location.u'],
        clientId: FEED_APP,
        purposeOfUse: 'HOPERAT',
      }),
    ],
    ...(['pharmacist', 'scheduler', 'billing', 'admin', 'researcher', 'auditor'] as const).map(
      (r) => [r, t.token(r, { sub: subOf(r) })] as [Actor, Promise<string>],
    ),
  ];
  for (const [a, tok] of made) tokens.set(a, await tok);

  const { breakTheGlass } = await ok<{ breakTheGlass: { id: string } }>(
    tokenOf('glassClinician'),
    'mutation ($p: ID!) { breakTheGlass(patientId: $p, reason: "Unresponsive on arrival in the emergency department") { id } }',
    { p: P },
  );
  await waitFor(
    'the grant in care routing',
    projected('break_glass_projection', 'id', breakTheGlass.id),
  );
}, 180_000);
afterAll(() => t?.stop());

interface AuditRow {
  actor: { sub: string };
  patientId?: string;
  resourceType: string;
  resourceId?: string;
  action: string;
  outcome: string;
  purpose: string;
  emergency?: boolean;
  reason?: string;
}
async function audited(sub: string): Promise<AuditRow[]> {
  const rows = await t.sql<{ payload: string }>(
    `SELECT payload FROM audit.entry WHERE payload::jsonb -> 'actor' ->> 'sub' = $1 ORDER BY seq`,
    [sub],
  );
  return rows.map((r) => JSON.parse(r.payload) as AuditRow);
}

/** Rows of the tables a refused write must leave untouched. */
async function written(): Promise<string> {
  const [row] = await t.sql<Record<string, unknown>>(
    `SELECT (SELECT count(*) FROM routing.facility_status_report) AS reports,
            (SELECT count(*) FROM routing.traffic_report) AS traffic,
            (SELECT coalesce(json_agg(json_build_array(patient_id, version, updated_at) ORDER BY patient_id), '[]')
               FROM routing.care_preference) AS preferences`,
  );
  return JSON.stringify(row);
}

/** The version of a patient's stored preferences (0: none). */
async function preferenceVersion(patientId: string): Promise<number> {
  const [row] = await t.sql<{ version: number }>(
    'SELECT version FROM routing.care_preference WHERE patient_id = $1',
    [patientId],
  );
  return row?.version ?? 0;
}

/** Runs a write; a refused one leaves care routing's tables as they were, an accepted one changes them. */
async function writing(run: () => Promise<{ ok: boolean; code?: string }>) {
  const before = await written();
  const result = await run();
  if (!result.ok) expect(await written()).toBe(before);
  else expect(await written()).not.toBe(before);
  return result;
}

const read =
  (
    query: string,
    pick: (d: Record<string, unknown> | null | undefined) => unknown,
    vars: () => object,
  ) =>
  async (token: string) => {
    const r = await t.gql<Record<string, unknown>>(token, query, vars());
    return outcome(r, pick(r.data));
  };

const CARE_OPTIONS = /* GraphQL */ `
  query ($id: ID!) {
    patient(id: $id) {
      id
      careOptions(need: { urgency: routine }) {
        originSource
        recommendations {
          facility {
            id
          }
        }
      }
    }
  }
`;
const CARE_PREFERENCES = /* GraphQL */ `
  query ($id: ID!) {
    patient(id: $id) {
      id
      carePreferences {
        version
        maxTravelMinutes
      }
    }
  }
`;
const SET_PREFERENCES = /* GraphQL */ `
  mutation ($p: ID!, $i: CarePreferencesInput!, $v: Int) {
    setCarePreferences(patientId: $p, input: $i, expectedVersion: $v) {
      version
    }
  }
`;
const REPORT_STATUS = /* GraphQL */ `
  mutation ($id: ID!, $i: FacilityStatusInput!) {
    reportFacilityStatus(facilityId: $id, input: $i) {
      report {
        id
      }
    }
  }
`;
const REPORT_TRAFFIC = /* GraphQL */ `
  mutation ($r: [TrafficReportInput!]!, $k: String!) {
    reportTraffic(reports: $r, idempotencyKey: $k)
  }
`;
type PatientData = { patient?: Record<string, unknown> | null } | null | undefined;
const patientField = (field: string) => (d: Record<string, unknown> | null | undefined) =>
  (d as PatientData)?.patient?.[field];

const OPERATIONS: MatrixOperation<Actor>[] = [
  {
    name: 'facility(a FHIR Location id)',
    allowed: DIRECTORY_READERS,
    run: read(
      'query ($id: ID!) { facility(id: $id) { id name status { openNow } specialties } }',
      (d) => d?.facility,
      () => ({ id: LOCATION }),
    ),
  },
  {
    name: 'nearbyFacilities',
    allowed: DIRECTORY_READERS,
    run: read(
      'query ($n: PlaceInput!) { nearbyFacilities(near: $n, radiusKm: 25, first: 3) { edges { node { distanceKm facility { id } } } } }',
      (d) => d?.nearbyFacilities,
      () => ({ n: OVERLAND_PARK }),
    ),
  },
  {
    name: 'careRecommendations (from a place)',
    allowed: DIRECTORY_READERS,
    run: read(
      'query ($n: PlaceInput!) { careRecommendations(near: $n, need: { urgency: urgent, first: 2 }) { recommendations { rank facility { id } } } }',
      (d) => d?.careRecommendations,
      () => ({ n: OVERLAND_PARK }),
    ),
  },
  {
    name: 'Patient.careOptions (P, on the demo care team)',
    allowed: P_READERS,
    run: read(CARE_OPTIONS, patientField('careOptions'), () => ({ id: P })),
  },
  {
    name: 'Patient.careOptions (Q, on no care team)',
    allowed: Q_READERS,
    run: read(CARE_OPTIONS, patientField('careOptions'), () => ({ id: Q })),
  },
  {
    name: 'Patient.carePreferences (P)',
    allowed: P_READERS,
    run: read(CARE_PREFERENCES, patientField('carePreferences'), () => ({ id: P })),
  },
  {
    name: 'setCarePreferences (P)',
    allowed: P_WRITERS,
    run: (token) =>
      writing(async () => {
        const r = await t.gql<{ setCarePreferences: { version: number } | null }>(
          token,
          SET_PREFERENCES,
          // expectedVersion given: an omitted one is refused (the bug below).
          { p: P, i: { maxTravelMinutes: 600 }, v: await preferenceVersion(P) },
        );
        return outcome(r, r.data?.setCarePreferences);
      }),
  },
  {
    name: 'reportFacilityStatus',
    allowed: STATUS_REPORTERS,
    run: (token) =>
      writing(async () => {
        const r = await t.gql<{ reportFacilityStatus: { report: { id: string } } | null }>(
          token,
          REPORT_STATUS,
          { id: LOCATION, i: { emergencyWaitMinutes: 15, idempotencyKey: `acc-${randomUUID()}` } },
        );
        return outcome(r, r.data?.reportFacilityStatus);
      }),
  },
  {
    name: 'reportTraffic',
    allowed: TRAFFIC_REPORTERS,
    run: (token) =>
      writing(async () => {
        const r = await t.gql<{ reportTraffic: number | null }>(token, REPORT_TRAFFIC, {
          r: [{ region: '662', factor: 1.1 }],
          k: `acc-${randomUUID()}`,
        });
        return outcome(r, r.data?.reportTraffic);
      }),
  },
];
accessMatrix('care routing operations, per caller', ACTORS, OPERATIONS, tokenOf);

describe('without a token', () => {
  it.each([
    ['facility', `query { facility(id: "${LOCATION}") { id } }`],
    [
      'nearbyFacilities',
      'query { nearbyFacilities(near: { postalCode: "66204" }) { edges { cursor } } }',
    ],
    [
      'careRecommendations',
      'query { careRecommendations(near: { postalCode: "66204" }, need: { urgency: routine }) { originSource } }',
    ],
    [
      'reportTraffic',
      'mutation { reportTraffic(reports: [{ region: "662", factor: 1 }], idempotencyKey: "anon-0001") }',
    ],
  ])('%s is UNAUTHENTICATED, no data', async (_name, query) => {
    const r = await t.gql<Record<string, unknown>>(undefined, query);
    expect(r.status).toBeLessThan(500);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(Object.values(r.data ?? {}).every((v) => v === null)).toBe(true);
  });

  it('a patient’s care options and setCarePreferences are UNAUTHENTICATED, nothing written', async () => {
    const before = await written();
    for (const [query, vars] of [
      [CARE_OPTIONS, { id: P }],
      [SET_PREFERENCES, { p: P, i: { maxTravelMinutes: 30 } }],
    ] as const) {
      const r = await t.gql<Record<string, unknown>>(undefined, query, vars);
      expect(r.status).toBeLessThan(500);
      expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(Object.values(r.data ?? {}).every((v) => v === null)).toBe(true);
    }
    expect(await written()).toBe(before);
  });
});

describe('what the allowed readers get', () => {
  it('care options from the patient’s postal code, the same facilities for each reader', async () => {
    const seen: string[] = [];
    for (const actor of P_READERS) {
      const d = await ok<{
        patient: {
          careOptions: { originSource: string; recommendations: { facility: { id: string } }[] };
        };
      }>(tokenOf(actor), CARE_OPTIONS, { id: P });
      expect(d.patient.careOptions.originSource, actor).toBe('postal-code');
      expect(d.patient.careOptions.recommendations.length, actor).toBeGreaterThan(0);
      seen.push(JSON.stringify(d.patient.careOptions.recommendations));
    }
    expect(new Set(seen).size).toBe(1);
  });

  it('a refused reader gets FORBIDDEN on careOptions itself when the patient subgraph lets them see the patient', async () => {
    for (const actor of ['pharmacist', 'billing', 'admin'] as const) {
      const r = await t.gql(tokenOf(actor), CARE_OPTIONS, { id: P });
      expect(
        r.errors?.map((e) => [e.extensions?.code, e.path?.join('.')]),
        actor,
      ).toEqual([['FORBIDDEN', 'patient.careOptions']]);
      // careOptions is nullable: the rest of the patient is still answered.
      expect((r.data?.patient as { careOptions: unknown } | null)?.careOptions, actor).toBeNull();
      expect(r.data?.patient, actor).not.toBeNull();
    }
  });
});

describe('the audit log', () => {
  /** Care routing's entries: the Patient data class, no resource id (the patient subgraph names the record). */
  const routingRows = async (actor: Actor, patientId: string, action: string) =>
    (await audited(subOf(actor))).filter(
      (e) =>
        e.resourceType === 'Patient' &&
        e.patientId === patientId &&
        e.action === action &&
        e.resourceId === undefined,
    );

  it('every care-options and preferences read of P is audited: permits for the readers (emergency under glass), denials for those the patient subgraph let through', async () => {
    for (const actor of [...P_READERS, 'pharmacist', 'billing', 'admin'] as Actor[]) {
      const rows = await routingRows(actor, P, 'read');
      // careOptions twice (matrix, readers' check), carePreferences once, at least.
      expect(rows.length, actor).toBeGreaterThanOrEqual(2);
      expect([...new Set(rows.map((e) => e.outcome))], actor).toEqual([
        P_READERS.includes(actor) ? 'permit' : 'deny',
      ]);
    }
    for (const e of await routingRows('glassClinician', P, 'read'))
      expect(e).toMatchObject({ emergency: true, purpose: 'ETREAT' });
  });

  it('setCarePreferences is audited as an update of P: permits for P and their app, denials for the others the shield let through', async () => {
    for (const actor of P_WRITERS) {
      // A permitted write names the patient as its record.
      const rows = (await audited(subOf(actor))).filter(
        (e) => e.resourceType === 'Patient' && e.patientId === P && e.action === 'update',
      );
      expect(
        rows.map((e) => e.outcome),
        actor,
      ).toEqual(['permit']);
    }
    for (const actor of ['otherPatient', 'otherPartner'] as const) {
      const rows = await routingRows(actor, P, 'update');
      expect(
        rows.map((e) => e.outcome),
        actor,
      ).toEqual(['deny']);
    }
  });

  it('the shield’s refusals of setCarePreferences are audited as denials naming P (denied:role-or-scope)', async () => {
    for (const actor of ACTORS.filter(
      (a) => !P_WRITERS.includes(a) && a !== 'otherPatient' && a !== 'otherPartner',
    )) {
      const rows = (await audited(subOf(actor))).filter(
        (e) =>
          e.outcome === 'deny' &&
          e.resourceType === 'graphql:Mutation.setCarePreferences' &&
          e.action === 'update',
      );
      expect(rows.length, actor).toBeGreaterThan(0);
      for (const e of rows)
        expect(e, actor).toMatchObject({ patientId: P, reason: 'denied:role-or-scope' });
    }
  });
});

describe('setCarePreferences without expectedVersion', () => {
  it('P sets their preferences without expectedVersion: saved as the next version', async () => {
    const before = await preferenceVersion(P);
    const d = await ok<{ setCarePreferences: { version: number } }>(
      tokenOf('patient'),
      'mutation ($p: ID!, $i: CarePreferencesInput!) { setCarePreferences(patientId: $p, input: $i) { version } }',
      { p: P, i: { maxTravelMinutes: 600 } },
    );
    expect(d.setCarePreferences.version).toBe(before + 1);
  });
});

/** Books P's first free slot with the demo clinician (as the front desk); the appointment id. */
async function bookFor(patientId: string): Promise<string> {
  const from = new Date(Date.now() + 86_400_000).toISOString();
  const to = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const { availableSlots } = await ok<{
    availableSlots: { start: string; practitionerId: string }[];
  }>(
    tokenOf('scheduler'),
    'query ($pr: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { availableSlots(practitionerId: $pr, from: $from, to: $to, first: 1) { start practitionerId } }',
    { pr: TEAM, from, to },
  );
  const [slot] = availableSlots;
  expect(slot).toBeDefined();
  const { bookAppointment } = await ok<{ bookAppointment: { id: string } }>(
    tokenOf('scheduler'),
    'mutation ($i: BookAppointmentInput!) { bookAppointment(input: $i) { id } }',
    {
      i: {
        patientId,
        practitionerId: slot!.practitionerId,
        start: slot!.start,
        idempotencyKey: `routing-access-${randomUUID()}`,
      },
    },
  );
  return bookAppointment.id;
}

describe('a patient’s deny consent', () => {
  it('refuses a care-team clinician P’s care options and preferences (in the patient subgraph, and in care routing’s kernel when P comes through an appointment), audited as denied:consent; revoked, they see them again', async () => {
    const sub = 'routing-access-denied';
    const token = await t.token('clinician', { practitionerId: DENIED, sub });
    const options = async () => {
      const r = await t.gql(token, CARE_OPTIONS, { id: P });
      return outcome(r, patientField('careOptions')(r.data));
    };
    expect(await options()).toEqual({ ok: true, code: undefined });
    // An appointment of P's brings P to care routing without the patient subgraph
    // (Appointment.patient is scheduling's): care routing's own kernel then decides.
    const APPOINTMENT_PREFS =
      'query ($id: ID!) { appointment(id: $id) { id patient { id carePreferences { version } } } }';
    const appointmentId = await bookFor(P);
    const viaAppointment = async () => {
      const r = await t.gql<{
        appointment: { patient: { carePreferences: unknown } | null } | null;
      }>(token, APPOINTMENT_PREFS, { id: appointmentId });
      return outcome(r, r.data?.appointment?.patient?.carePreferences);
    };
    expect(await viaAppointment()).toEqual({ ok: true, code: undefined });

    const { recordConsent } = await ok<{ recordConsent: { id: string } }>(
      tokenOf('patient'),
      'mutation ($p: ID!, $i: RecordConsentInput!) { recordConsent(patientId: $p, input: $i) { id } }',
      {
        p: P,
        i: {
          scope: 'patient_privacy',
          provisions: [
            {
              type: 'deny',
              actors: [{ kind: 'practitioner', id: DENIED }],
              dataClasses: ['Patient'],
            },
          ],
        },
      },
    );
    await waitFor(
      'the consent in care routing',
      projected('consent_projection', 'id', recordConsent.id),
    );

    expect(await options()).toEqual({ ok: false, code: 'FORBIDDEN' });
    const prefs = await t.gql(token, CARE_PREFERENCES, { id: P });
    expect(outcome(prefs, patientField('carePreferences')(prefs.data))).toEqual({
      ok: false,
      code: 'FORBIDDEN',
    });
    // The care-team clinician not named in the consent still reads them.
    const other = await t.gql(tokenOf('clinician'), CARE_OPTIONS, { id: P });
    expect(outcome(other, patientField('careOptions')(other.data))).toEqual({
      ok: true,
      code: undefined,
    });

    // Through the appointment, care routing itself refuses P's preferences (scheduling answers the appointment).
    expect(await viaAppointment()).toEqual({ ok: false, code: 'FORBIDDEN' });
    const refused = await t.gql(token, APPOINTMENT_PREFS, { id: appointmentId });
    expect(refused.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([
      ['FORBIDDEN', 'appointment.patient.carePreferences'],
    ]);

    const refusals = (await audited(sub)).filter((e) => e.outcome === 'deny');
    expect(refusals.length).toBeGreaterThan(0);
    for (const e of refusals)
      expect(e).toMatchObject({ patientId: P, resourceType: 'Patient', reason: 'denied:consent' });
    // Care routing's own entry (no resource id; the patient subgraph's names the record).
    expect(refusals.filter((e) => e.resourceId === undefined && e.action === 'read')).not.toEqual(
      [],
    );

    await ok(tokenOf('patient'), 'mutation ($c: ID!) { revokeConsent(consentId: $c) { id } }', {
      c: recordConsent.id,
    });
    await waitFor('the revocation in care routing', async () => (await options()).ok);
    expect(await viaAppointment()).toEqual({ ok: true, code: undefined });
  });
});
