import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SCOPES } from '../../platform/identity/dev-principal.js';
import {
  WITH_FACILITIES,
  startTestStack,
  untilKnown,
  type GqlResponse,
  type TestStack,
} from '../support/stack.js';

/**
 * Bad input to care routing through the gateway: one typed error
 * (BAD_USER_INPUT naming the field where there is one, NOT_FOUND for an
 * unknown facility, CONFLICT with the current version for a stale
 * preferences write), null data, never a 500 nor INTERNAL_SERVER_ERROR, and
 * not one row written in care routing's tables. A canary put into the
 * inputs never comes back in an answer, nor reaches the logs.
 */
let t: TestStack;
let clinician: string;
let admin: string;
/** The demo patient, with Patient.u (they set their own preferences). */
let patient: string;
let P: string;
/** A facility of the directory (the demo hospital). */
let FACILITY: string;

const CANARY = `Cr${randomBytes(6).toString('hex')}`;
/** OVERLAND PARK REG MED CTR: a demo Location, linked to the directory hospital. */
const LOCATION = '7cf6ad8f-30a6-33bb-8fe0-6f688207a213';
const POINT = { latitude: 38.9822, longitude: -94.6708 };
/** A well-formed ZIP code with no centroid in the (Kansas) test directory. */
const UNKNOWN_ZIP = '99950';

const TABLES = [
  'facility_status',
  'facility_status_report',
  'traffic_report',
  'care_preference',
  'idempotency_key',
] as const;

/** Rows of care routing's written tables (and the preferences' versions). */
async function counts(): Promise<Record<string, string>> {
  const [row] = await t.sql<Record<string, string>>(
    `SELECT ${TABLES.map((x) => `(SELECT count(*) FROM routing.${x})::text AS ${x}`).join(', ')},
            (SELECT coalesce(string_agg(patient_id || ':' || version, ','), '') FROM routing.care_preference) AS versions`,
  );
  return row!;
}

async function ok<T>(token: string, query: string, variables: object = {}): Promise<T> {
  const r = await t.gql<T>(token, query, variables);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}

/** Every error answer of this file, checked for the canary at the end. */
const answers: string[] = [];

interface Expectation {
  code?: string;
  /** extensions.field, when there is one. */
  field?: string;
  /** A word the message holds (what to fix). */
  says?: string;
}

/** Sends a request and expects one typed error, null data, nothing written; returns the answer. */
async function refused(
  token: string,
  query: string,
  variables: object,
  { code = 'BAD_USER_INPUT', field, says }: Expectation,
): Promise<GqlResponse<Record<string, unknown>>> {
  const before = await counts();
  const r = await t.gql<Record<string, unknown>>(token, query, variables);
  const text = JSON.stringify(r);
  answers.push(text);
  expect(r.status).toBeLessThan(500);
  expect(r.errors?.length, text).toBe(1);
  const [e] = r.errors!;
  expect(e!.extensions?.code, text).toBe(code);
  expect(e!.message.length).toBeGreaterThan(5);
  if (field) expect(e!.extensions?.field, text).toBe(field);
  if (says) expect(e!.message, text).toContain(says);
  expect(e!.extensions?.stacktrace, text).toBeUndefined();
  expect(text).not.toMatch(/\s+at \S+ \(|node_modules|\.ts:\d+/);
  expect(text).not.toContain(CANARY);
  for (const value of Object.values(r.data ?? {})) expect(value).toBeNull();
  expect(await counts()).toEqual(before);
  return r;
}

const NEARBY = /* GraphQL */ `
  query ($near: PlaceInput!, $radiusKm: Float, $specialty: String, $first: Int, $after: String) {
    nearbyFacilities(
      near: $near
      radiusKm: $radiusKm
      specialty: $specialty
      first: $first
      after: $after
    ) {
      edges {
        cursor
        node {
          distanceKm
        }
      }
      pageInfo {
        endCursor
      }
    }
  }
`;
const RECOMMEND = /* GraphQL */ `
  query ($near: PlaceInput!, $need: CareNeedInput!, $prefs: CarePreferencesInput) {
    careRecommendations(near: $near, need: $need, preferences: $prefs) {
      recommendations {
        rank
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

beforeAll(async () => {
  t = await startTestStack('routing-bad-input', WITH_FACILITIES);
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  admin = await t.token('admin');
  P = t.demo.patientId;
  patient = await t.token('patient', {
    patientId: P,
    scopes: [...DEV_SCOPES.patient.split(' '), 'patient/Patient.u'],
  });
  await untilKnown(t, [P]);
  const [f] = await t.sql<{ facility_id: string }>(
    'SELECT facility_id FROM routing.facility_location WHERE location_id = $1',
    [LOCATION],
  );
  FACILITY = f!.facility_id;
  const unknown = await t.sql('SELECT 1 FROM routing.zip_centroid WHERE zip = $1', [UNKNOWN_ZIP]);
  expect(unknown).toHaveLength(0);
  expect((await t.sql('SELECT 1 FROM routing.patient_projection WHERE id = $1', [P])).length).toBe(
    1,
  );
}, 180_000);
afterAll(() => t?.stop());

type Case = [string, Record<string, unknown>, Expectation];

describe('nearbyFacilities', () => {
  const CASES: Case[] = [
    [
      'latitude 91',
      { near: { latitude: 91, longitude: -94 } },
      { field: 'near.latitude', says: '-90 and 90' },
    ],
    [
      'longitude -181',
      { near: { latitude: 38, longitude: -181 } },
      { field: 'near.longitude', says: '-180 and 180' },
    ],
    ['a latitude without a longitude', { near: { latitude: 38 } }, { field: 'near.longitude' }],
    ['radiusKm 0', { near: POINT, radiusKm: 0 }, { field: 'radiusKm', says: 'at most 500' }],
    ['radiusKm -5', { near: POINT, radiusKm: -5 }, { field: 'radiusKm' }],
    ['radiusKm 501', { near: POINT, radiusKm: 501 }, { field: 'radiusKm', says: '500' }],
    [
      'an unknown ZIP code',
      { near: { postalCode: UNKNOWN_ZIP } },
      { field: 'near.postalCode', says: 'not a known ZIP' },
    ],
    [
      'a malformed ZIP code carrying the canary',
      { near: { postalCode: CANARY } },
      { field: 'near.postalCode', says: 'five-digit' },
    ],
    ['a four-digit ZIP code', { near: { postalCode: '6620' } }, { field: 'near.postalCode' }],
    [
      'both a point and a ZIP code',
      { near: { ...POINT, postalCode: '66204' } },
      { field: 'near', says: 'not both' },
    ],
    ['neither a point nor a ZIP code', { near: {} }, { field: 'near' }],
    ['first 0', { near: POINT, first: 0 }, { field: 'first', says: '1 and 100' }],
    ['first 101', { near: POINT, first: 101 }, { field: 'first', says: '1 and 100' }],
    [
      'a bogus cursor carrying the canary',
      { near: POINT, after: CANARY },
      { field: 'after', says: 'cursor' },
    ],
    [
      'a cursor of another kind (base64url JSON of 4 strings)',
      {
        near: POINT,
        after: Buffer.from(JSON.stringify(['other', CANARY, 'x', 'y'])).toString('base64url'),
      },
      { field: 'after' },
    ],
    ['an empty specialty', { near: POINT, specialty: '' }, { field: 'specialty', says: '100' }],
    ['a blank specialty', { near: POINT, specialty: '   ' }, { field: 'specialty' }],
    [
      'a specialty of 101 characters carrying the canary',
      { near: POINT, specialty: CANARY.padEnd(101, 'x') },
      { field: 'specialty', says: '100' },
    ],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, vars, expectation) => {
    await refused(clinician, NEARBY, vars, expectation);
  });

  it('a cursor of another search (other radius): refused, naming after', async () => {
    const first = await ok<{ nearbyFacilities: { pageInfo: { endCursor: string } } }>(
      clinician,
      NEARBY,
      { near: POINT, radiusKm: 50, first: 2 },
    );
    const after = first.nearbyFacilities.pageInfo.endCursor;
    expect(after).toBeTruthy();
    await refused(
      clinician,
      NEARBY,
      { near: POINT, radiusKm: 80, first: 2, after },
      { field: 'after', says: 'another search' },
    );
  });

  it('a status-history cursor (another list’s): refused, naming after', async () => {
    await ok(admin, REPORT_STATUS, {
      id: FACILITY,
      i: { bedsAvailable: 3, idempotencyKey: `bad-${randomUUID()}` },
    });
    const h = await ok<{ facility: { statusHistory: { pageInfo: { endCursor: string } } } }>(
      admin,
      'query ($id: ID!) { facility(id: $id) { statusHistory(first: 1) { pageInfo { endCursor } } } }',
      { id: FACILITY },
    );
    const after = h.facility.statusHistory.pageInfo.endCursor;
    expect(after).toBeTruthy();
    await refused(clinician, NEARBY, { near: POINT, after }, { field: 'after' });
  });

  it('the valid request is answered', async () => {
    const d = await ok<{ nearbyFacilities: { edges: unknown[] } }>(clinician, NEARBY, {
      near: { postalCode: '66204' },
      radiusKm: 30,
      first: 5,
    });
    expect(d.nearbyFacilities.edges.length).toBeGreaterThan(0);
  });
});

describe('careRecommendations', () => {
  const need = (extra: Record<string, unknown> = {}) => ({ urgency: 'routine', ...extra });
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `fac-${i}`);
  const CASES: Case[] = [
    ['latitude 91', { near: { latitude: 91, longitude: 0 } }, { field: 'near.latitude' }],
    ['longitude -181', { near: { latitude: 0, longitude: -181 } }, { field: 'near.longitude' }],
    ['an unknown ZIP code', { near: { postalCode: UNKNOWN_ZIP } }, { field: 'near.postalCode' }],
    ['a malformed ZIP code', { near: { postalCode: `${CANARY}-1` } }, { field: 'near.postalCode' }],
    ['both a point and a ZIP code', { near: { ...POINT, postalCode: '66204' } }, { field: 'near' }],
    ['neither a point nor a ZIP code', { near: {} }, { field: 'near' }],
    ['radiusKm 0', { need: need({ radiusKm: 0 }) }, { field: 'radiusKm' }],
    ['radiusKm -1', { need: need({ radiusKm: -1 }) }, { field: 'radiusKm' }],
    ['radiusKm 501', { need: need({ radiusKm: 501 }) }, { field: 'radiusKm' }],
    ['first 0', { need: need({ first: 0 }) }, { field: 'first', says: '1 and 20' }],
    ['first 21', { need: need({ first: 21 }) }, { field: 'first', says: '1 and 20' }],
    ['an empty specialty', { need: need({ specialty: '' }) }, { field: 'specialty' }],
    [
      'a specialty of 101 characters carrying the canary',
      { need: need({ specialty: CANARY.padEnd(101, 'q') }) },
      { field: 'specialty' },
    ],
    [
      '21 preferred facilities',
      { prefs: { preferredFacilityIds: ids(21) } },
      { field: 'preferredFacilityIds', says: '20' },
    ],
    [
      '21 avoided facilities',
      { prefs: { avoidedFacilityIds: ids(21) } },
      { field: 'avoidedFacilityIds', says: '20' },
    ],
    [
      'a malformed facility id carrying the canary',
      { prefs: { preferredFacilityIds: [`${CANARY} OR 1=1`] } },
      { field: 'preferredFacilityIds' },
    ],
    [
      'a facility both preferred and avoided',
      { prefs: { preferredFacilityIds: ['fac-1'], avoidedFacilityIds: ['fac-1'] } },
      { field: 'avoidedFacilityIds', says: 'both' },
    ],
    [
      'maxTravelMinutes 2',
      { prefs: { maxTravelMinutes: 2 } },
      { field: 'maxTravelMinutes', says: '5 to 600' },
    ],
    [
      'maxTravelMinutes 601',
      { prefs: { maxTravelMinutes: 601 } },
      { field: 'maxTravelMinutes', says: '5 to 600' },
    ],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, change, expectation) => {
    await refused(clinician, RECOMMEND, { near: POINT, need: need(), ...change }, expectation);
  });

  it('the valid request is answered', async () => {
    const d = await ok<{ careRecommendations: { recommendations: unknown[] } }>(
      clinician,
      RECOMMEND,
      { near: POINT, need: need({ first: 3 }), prefs: { maxTravelMinutes: 120 } },
    );
    expect(d.careRecommendations.recommendations.length).toBeGreaterThan(0);
  });
});

describe('setCarePreferences', () => {
  const version = async () =>
    (
      await t.sql<{ version: number }>(
        'SELECT version FROM routing.care_preference WHERE patient_id = $1',
        [P],
      )
    )[0]?.version ?? 0;

  it('saves valid preferences (the setup of the cases below)', async () => {
    const d = await ok<{ setCarePreferences: { version: number } }>(patient, SET_PREFERENCES, {
      p: P,
      i: { preferredFacilityIds: [FACILITY], maxTravelMinutes: 90 },
      v: await version(),
    });
    expect(d.setCarePreferences.version).toBe(1);
  });

  const CASES: Case[] = [
    [
      'a patient id that is not a UUID, carrying the canary',
      { p: `${CANARY}' OR '1'='1` },
      { field: 'patientId' },
    ],
    [
      '21 preferred facilities',
      { i: { preferredFacilityIds: Array.from({ length: 21 }, (_, i) => `f${i}`) } },
      { field: 'preferredFacilityIds' },
    ],
    [
      'a malformed facility id',
      { i: { avoidedFacilityIds: ['no spaces allowed'] } },
      { field: 'avoidedFacilityIds' },
    ],
    [
      'a facility both preferred and avoided',
      { i: { preferredFacilityIds: ['a-1'], avoidedFacilityIds: ['a-1'] } },
      { field: 'avoidedFacilityIds' },
    ],
    ['maxTravelMinutes 2', { i: { maxTravelMinutes: 2 } }, { field: 'maxTravelMinutes' }],
    ['maxTravelMinutes 601', { i: { maxTravelMinutes: 601 } }, { field: 'maxTravelMinutes' }],
  ];

  it.each(CASES)('with %s: refused, nothing written', async (_what, change, expectation) => {
    await refused(
      patient,
      SET_PREFERENCES,
      { p: P, i: { maxTravelMinutes: 60 }, v: await version(), ...change },
      expectation,
    );
  });

  it('a stale expectedVersion: CONFLICT with the current version, nothing written', async () => {
    const current = await version();
    expect(current).toBe(1);
    const r = await refused(
      patient,
      SET_PREFERENCES,
      { p: P, i: { maxTravelMinutes: 45 }, v: 0 },
      { code: 'CONFLICT' },
    );
    expect(r.errors![0]!.extensions?.currentVersion).toBe(current);
  });
});

describe('reportTraffic', () => {
  const CASES: [string, Record<string, unknown>, Expectation][] = [
    ['region 66', { region: '66', factor: 1 }, { field: 'region', says: 'three digits' }],
    ['a region carrying the canary', { region: CANARY, factor: 1 }, { field: 'region' }],
    ['factor 0.1', { region: '662', factor: 0.1 }, { field: 'factor', says: '0.5 to 10' }],
    ['factor 11', { region: '662', factor: 11 }, { field: 'factor', says: '0.5 to 10' }],
    [
      'an observation in the future',
      { region: '662', factor: 1, observedAt: new Date(Date.now() + 3_600_000).toISOString() },
      { field: 'observedAt', says: 'future' },
    ],
  ];
  it.each(CASES)('with %s: refused, nothing written', async (_what, report, expectation) => {
    await refused(admin, REPORT_TRAFFIC, { r: [report], k: `bad-${randomUUID()}` }, expectation);
  });

  it('no reports: refused, naming reports', async () => {
    await refused(admin, REPORT_TRAFFIC, { r: [], k: `bad-${randomUUID()}` }, { field: 'reports' });
  });
});

describe('reportFacilityStatus', () => {
  const CASES: Case[] = [
    ['nothing to report', {}, { says: 'at least one' }],
    ['negative beds', { bedsAvailable: -1 }, { field: 'bedsAvailable', says: '0 to 100000' }],
    [
      'an emergency wait of 5000 minutes',
      { emergencyWaitMinutes: 5000 },
      { field: 'emergencyWaitMinutes' },
    ],
    [
      'an observation in the future',
      { diversion: true, observedAt: new Date(Date.now() + 3_600_000).toISOString() },
      { field: 'observedAt', says: 'future' },
    ],
    [
      'an observation 31 days ago',
      { diversion: true, observedAt: new Date(Date.now() - 31 * 86_400_000).toISOString() },
      { field: 'observedAt', says: '30 days' },
    ],
    [
      'weekday 8',
      { hours: [{ weekday: 8, start: '09:00', end: '17:00' }] },
      { field: 'hours', says: 'hours' },
    ],
    ['hours and clearHours', { hours: [], clearHours: true }, { field: 'clearHours' }],
  ];
  it.each(CASES)('with %s: refused, nothing written', async (_what, input, expectation) => {
    await refused(
      admin,
      REPORT_STATUS,
      { id: FACILITY, i: { ...input, idempotencyKey: `bad-${randomUUID()}` } },
      expectation,
    );
  });

  it('an idempotency key too short: refused, naming it', async () => {
    await refused(
      admin,
      REPORT_STATUS,
      { id: FACILITY, i: { bedsAvailable: 1, idempotencyKey: 'short' } },
      { field: 'idempotencyKey' },
    );
  });

  it.each([
    ['an unknown facility', 'no-such-facility'],
    ['a facility id carrying the canary and spaces', `${CANARY} x`],
  ])('%s: NOT_FOUND, nothing written', async (_what, id) => {
    await refused(
      admin,
      REPORT_STATUS,
      { id, i: { bedsAvailable: 1, idempotencyKey: `bad-${randomUUID()}` } },
      { code: 'NOT_FOUND' },
    );
  });
});

describe('a huge input', () => {
  it('a specialty of 1 MB: 413 from the gateway’s body limit, nothing written', async () => {
    const before = await counts();
    const res = await fetch(t.stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clinician}` },
      body: JSON.stringify({
        query: NEARBY,
        variables: {
          near: POINT,
          specialty: CANARY.repeat(Math.ceil(1_048_576 / CANARY.length)),
        },
      }),
    });
    const text = await res.text();
    answers.push(text);
    expect(res.status).toBe(413);
    const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(text).not.toContain(CANARY);
    expect(await counts()).toEqual(before);
  });

  it('preferences of 1 MB to setCarePreferences: 413, nothing written', async () => {
    const before = await counts();
    const res = await fetch(t.stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${patient}` },
      body: JSON.stringify({
        query: SET_PREFERENCES,
        variables: {
          p: P,
          i: { preferredFacilityIds: [CANARY.repeat(Math.ceil(1_048_576 / CANARY.length))] },
        },
      }),
    });
    const text = await res.text();
    answers.push(text);
    expect(res.status).toBe(413);
    expect(text).not.toContain(CANARY);
    expect(await counts()).toEqual(before);
  });
});

describe('no PHI in errors or logs', () => {
  it('the canary never appears in an answer nor in the services’ logs', () => {
    expect(answers.length).toBeGreaterThan(50);
    for (const a of answers) expect(a).not.toContain(CANARY);
    expect(t.logs()).not.toContain(CANARY);
  });
});
