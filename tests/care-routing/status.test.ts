import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_IDS } from '../../platform/identity/dev-principal.js';
import { textPartnerClients } from '../support/clients.js';
import {
  WITH_FACILITIES,
  startTestStack,
  type GqlResponse,
  type TestStack,
} from '../support/stack.js';

/**
 * Capacity and status through the gateway: a demo facility (named by the
 * FHIR Location id the demo schedules and stock use) reported by staff and
 * by a partner feed, each value with its time, stale values shown as stale,
 * a late report kept in the history but not made current, a retried report
 * recorded once, and who may report.
 */
let t: TestStack;
let admin: string;
let feed: string;

/** A feed sending query text (tests of the subgraph) and one that may run persisted operations only. */
const FEED_APP = 'bed-feed-app';
const PERSISTED_FEED_APP = 'bed-feed-persisted';

const manifest = JSON.parse(
  fs.readFileSync(
    path.resolve(import.meta.dirname, '..', '..', 'schema/operations/manifest.json'),
    'utf8',
  ),
) as { operations: { id: string; name: string }[] };
const persisted = (name: string) => ({
  persistedQuery: { version: 1, sha256Hash: manifest.operations.find((o) => o.name === name)!.id },
});

const feedToken = (clientId: string) =>
  t.stack.devIssuer!.sign({
    sub: clientId,
    roles: ['partner'],
    scopes: ['system/Location.u'],
    clientId,
    purposeOfUse: 'HOPERAT',
  });

/** OVERLAND PARK REG MED CTR: a demo Location, linked to the directory hospital. */
const LOCATION = '7cf6ad8f-30a6-33bb-8fe0-6f688207a213';

async function ok<T>(token: string, query: string, variables?: object): Promise<T> {
  const res: GqlResponse<T> = await t.gql<T>(token, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!;
}

const REPORT = /* GraphQL */ `
  mutation ($id: ID!, $input: FacilityStatusInput!) {
    reportFacilityStatus(facilityId: $id, input: $input) {
      report {
        id
        applied
        source
        observedAt
      }
      status {
        version
        openNow
        bedsAvailable {
          value
          observedAt
          stale
        }
        emergencyWaitMinutes {
          value
          observedAt
          stale
        }
        diversion {
          value
          observedAt
          stale
        }
        hours {
          intervals {
            weekday
            start
            end
          }
        }
      }
    }
  }
`;

interface Reported {
  reportFacilityStatus: {
    report: { id: string; applied: string[]; source: string; observedAt: string };
    status: {
      version: number;
      bedsAvailable: { value: number; observedAt: string; stale: boolean } | null;
      emergencyWaitMinutes: { value: number; observedAt: string; stale: boolean } | null;
      diversion: { value: boolean; observedAt: string; stale: boolean } | null;
    };
  };
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

beforeAll(async () => {
  t = await startTestStack('routing-status', {
    ...WITH_FACILITIES,
    ...textPartnerClients([FEED_APP, DEV_IDS.partnerClient]),
  });
  admin = await t.token('admin');
  feed = await feedToken(FEED_APP);
}, 180_000);
afterAll(() => t?.stop());

describe('facility status', () => {
  let facilityId: string;

  it('resolves a demo Location to its directory facility, with no status yet', async () => {
    const d = await ok<{
      facility: {
        id: string;
        name: string;
        emergency: boolean;
        locationIds: string[];
        status: { bedsAvailable: null; openNow: boolean; version: number };
      };
    }>(
      await t.token('partner'), // partner apps read the directory
      `query ($id: ID!) { facility(id: $id) { id name emergency locationIds status { bedsAvailable { value } openNow version } } }`,
      { id: LOCATION },
    );
    expect(d.facility.name).toBe('OVERLAND PARK REG MED CTR');
    expect(d.facility.id).not.toBe(LOCATION);
    expect(d.facility.locationIds).toContain(LOCATION);
    expect(d.facility.status).toEqual({
      bedsAvailable: null,
      openNow: d.facility.emergency ? true : null,
      version: 0,
    });
    facilityId = d.facility.id;
  });

  it('keeps each reported value with its time, and shows an old one as stale', async () => {
    const old = minutesAgo(90); // the default staleness bound is 60 minutes
    const first = await ok<Reported>(admin, REPORT, {
      id: facilityId,
      input: {
        bedsAvailable: 12,
        diversion: false,
        observedAt: old,
        idempotencyKey: 'status-0001',
      },
    });
    expect(first.reportFacilityStatus.report.source).toBe('staff');
    expect(first.reportFacilityStatus.report.applied.sort()).toEqual([
      'bedsAvailable',
      'diversion',
    ]);
    expect(first.reportFacilityStatus.status.bedsAvailable).toMatchObject({
      value: 12,
      stale: true,
    });
    const fresh = await ok<Reported>(feed, REPORT, {
      id: LOCATION,
      input: { emergencyWaitMinutes: 35, diversion: true, idempotencyKey: 'feed-000001' },
    });
    const s = fresh.reportFacilityStatus.status;
    expect(fresh.reportFacilityStatus.report.source).toBe('feed');
    expect(s.emergencyWaitMinutes).toMatchObject({ value: 35, stale: false });
    expect(s.diversion).toMatchObject({ value: true, stale: false });
    expect(s.bedsAvailable).toMatchObject({ value: 12, stale: true });
    expect(s.version).toBe(2);
  });

  it('keeps a late report in the history without making it current', async () => {
    const late = await ok<Reported>(feed, REPORT, {
      id: facilityId,
      input: {
        diversion: false,
        bedsAvailable: 3,
        observedAt: minutesAgo(30),
        idempotencyKey: 'feed-000002',
      },
    });
    // Beds: newer than the 90-minute-old count, so current; diversion: older than the feed's last.
    expect(late.reportFacilityStatus.report.applied).toEqual(['bedsAvailable']);
    expect(late.reportFacilityStatus.status.diversion).toMatchObject({ value: true });
    expect(late.reportFacilityStatus.status.bedsAvailable).toMatchObject({
      value: 3,
      stale: false,
    });
    const h = await ok<{
      facility: {
        statusHistory: { edges: { node: { diversion: boolean | null; applied: string[] } }[] };
      };
    }>(
      admin,
      `query ($id: ID!) { facility(id: $id) { statusHistory(first: 10) { edges { node { diversion applied } } } } }`,
      { id: facilityId },
    );
    // Newest observation first: the feed's now, the late one 30 min ago, staff's 90 min ago.
    expect(h.facility.statusHistory.edges.map((e) => e.node)).toEqual([
      { diversion: true, applied: ['emergencyWaitMinutes', 'diversion'] },
      { diversion: false, applied: ['bedsAvailable'] },
      { diversion: false, applied: ['bedsAvailable', 'diversion'] },
    ]);
  });

  it('takes a persisted-only feed’s report through the persisted operation, and refuses its text', async () => {
    const token = await feedToken(PERSISTED_FEED_APP);
    const post = async (body: object) => {
      const res = await fetch(t.stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      return (await res.json()) as GqlResponse<Reported>;
    };
    const variables = {
      facilityId,
      input: {
        emergencyWaitMinutes: 40,
        idempotencyKey: 'feed-persisted-1',
      },
    };
    const byId = await post({ extensions: persisted('PartnerReportFacilityStatus'), variables });
    expect(byId.errors).toBeUndefined();
    expect(byId.data!.reportFacilityStatus.status.emergencyWaitMinutes).toMatchObject({
      value: 40,
    });
    const text = await post({
      query: REPORT,
      variables: { id: facilityId, input: variables.input },
    });
    expect(text.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('records a retried report once; the same key with another report is CONFLICT', async () => {
    const input = { bedsAvailable: 7, idempotencyKey: 'feed-000003', observedAt: minutesAgo(1) };
    const [a, b] = await Promise.all([
      ok<Reported>(feed, REPORT, { id: facilityId, input }),
      ok<Reported>(feed, REPORT, { id: facilityId, input }),
    ]);
    expect(a.reportFacilityStatus.report.id).toBe(b.reportFacilityStatus.report.id);
    const { n } = (
      await t.sql<{ n: string }>(
        'SELECT count(*) AS n FROM routing.facility_status_report WHERE facility_id = $1',
        [facilityId],
      )
    )[0]!;
    expect(Number(n)).toBe(5);
    const other = await t.gql(feed, REPORT, {
      id: facilityId,
      input: { ...input, bedsAvailable: 8 },
    });
    expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('refuses bad reports with a typed error and writes nothing', async () => {
    const { n: before } = (
      await t.sql<{ n: string }>('SELECT count(*) AS n FROM routing.facility_status_report')
    )[0]!;
    const cases: [object, string][] = [
      [{ bedsAvailable: -1 }, 'bedsAvailable'],
      [{ emergencyWaitMinutes: 5000 }, 'emergencyWaitMinutes'],
      [{}, 'at least one'],
      [{ diversion: true, observedAt: new Date(Date.now() + 3_600_000).toISOString() }, 'future'],
      [{ hours: [{ weekday: 8, start: '09:00', end: '17:00' }] }, 'hours'],
      [{ hours: [{ weekday: 1, start: '17:00', end: '09:00' }] }, 'hours'],
    ];
    for (const [input, says] of cases) {
      const res = await t.gql(admin, REPORT, {
        id: facilityId,
        input: { ...input, idempotencyKey: `bad-${Math.random().toString(36).slice(2, 10)}` },
      });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toContain(says);
    }
    const unknown = await t.gql(admin, REPORT, {
      id: 'no-such-facility',
      input: { bedsAvailable: 1, idempotencyKey: 'status-0009' },
    });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const { n: after } = (
      await t.sql<{ n: string }>('SELECT count(*) AS n FROM routing.facility_status_report')
    )[0]!;
    expect(after).toBe(before);
  });

  it('lets facility staff and feeds report, and no one else', async () => {
    const refused = [
      await t.token('patient'),
      await t.token('partner'), // an app acting for a patient: no system scope
      await t.token('billing'),
      await t.token('pharmacist'),
      await t.token('scheduler'),
      await t.token('researcher'),
      await t.token('auditor'),
    ];
    for (const token of refused) {
      const res = await t.gql(token, REPORT, {
        id: facilityId,
        input: { bedsAvailable: 1, idempotencyKey: 'status-0010' },
      });
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const clinician = await t.token('clinician');
    await ok(clinician, REPORT, {
      id: facilityId,
      input: { emergencyWaitMinutes: 20, idempotencyKey: 'status-0011' },
    });
  });

  it('opens by the reported hours in the facility’s own time zone', async () => {
    // A demo Location known only from the record (no directory row): its own facility, no ED.
    const own = await t.sql<{ facility_id: string }>(
      `SELECT l.facility_id FROM routing.facility_location l JOIN routing.facility f ON f.id = l.facility_id
        WHERE l.matched_by = 'own' AND NOT f.emergency ORDER BY l.location_id LIMIT 1`,
    );
    const id = own[0]!.facility_id;
    const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
      weekday,
      start: '00:00',
      end: '24:00',
    }));
    const open = await ok<{ reportFacilityStatus: { status: { openNow: boolean } } }>(
      admin,
      REPORT,
      {
        id,
        input: { hours: allWeek, idempotencyKey: 'hours-000001' },
      },
    );
    expect(open.reportFacilityStatus.status.openNow).toBe(true);
    const closed = await ok<{ reportFacilityStatus: { status: { openNow: boolean } } }>(
      admin,
      REPORT,
      {
        id,
        input: { hours: [], idempotencyKey: 'hours-000002' },
      },
    );
    expect(closed.reportFacilityStatus.status.openNow).toBe(false);
    const unknown = await ok<{ reportFacilityStatus: { status: { openNow: boolean | null } } }>(
      admin,
      REPORT,
      {
        id,
        input: { clearHours: true, idempotencyKey: 'hours-000003' },
      },
    );
    expect(unknown.reportFacilityStatus.status.openNow).toBeNull();
  });
});

describe('traffic reports', () => {
  it('records a feed’s regions once per key, and refuses bad regions and factors', async () => {
    const M = `mutation ($r: [TrafficReportInput!]!, $k: String!) { reportTraffic(reports: $r, idempotencyKey: $k) }`;
    const reports = [
      { region: '662', factor: 1.8 },
      { region: '661', factor: 1.2 },
    ];
    expect(
      (await ok<{ reportTraffic: number }>(feed, M, { r: reports, k: 'traffic-0001' }))
        .reportTraffic,
    ).toBe(2);
    expect(
      (await ok<{ reportTraffic: number }>(feed, M, { r: reports, k: 'traffic-0001' }))
        .reportTraffic,
    ).toBe(2);
    const { n } = (
      await t.sql<{ n: string }>('SELECT count(*) AS n FROM routing.traffic_report')
    )[0]!;
    expect(Number(n)).toBe(2);
    for (const bad of [
      { region: '66', factor: 1 },
      { region: '662', factor: 0.1 },
      { region: '662', factor: 11 },
    ]) {
      const res = await t.gql(feed, M, { r: [bad], k: `traffic-${bad.region}-${bad.factor}` });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const patient = await t.gql(await t.token('patient'), M, { r: reports, k: 'traffic-0002' });
    expect(patient.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
