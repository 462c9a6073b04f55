import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_NEARBY_PAGE,
  MAX_RADIUS_KM,
} from '../../subgraphs/care-routing/domain/search-limits.js';
import {
  bruteNearby,
  orderMismatch,
  readScanFacilities,
  type BruteHit,
  type BruteQuery,
  type ScanFacility,
  type ScanStatus,
} from '../../subgraphs/care-routing/store/nearby-testing.js';
import { textPartnerClients } from '../support/clients.js';
import {
  WITH_FACILITIES,
  startTestStack,
  type GqlResponse,
  type TestStack,
} from '../support/stack.js';

/**
 * `nearbyFacilities` through the gateway over the directory the test stack
 * seeds (SEED_FACILITIES=demo: the Kansas facilities, every ZIP centroid, the
 * demo Locations): by point and by ZIP code, in the order and at the
 * distances a brute-force haversine scan of the seeded rows gives, paged,
 * filtered; every bad argument a single BAD_USER_INPUT naming what to fix;
 * signed-in callers only, partner apps included.
 */
let t: TestStack;
let clinician: string;
/** The seeded directory, read back from routing.facility. */
let directory: ScanFacility[];
/** The statuses this test sets (the seed sets none). */
const statuses = new Map<string, ScanStatus>();
/** A non-emergency urgent care reporting 24/7 hours, and an emergency hospital on diversion. */
let roundTheClock: string;
let diverted: string;

const OVERLAND_PARK = { lat: 38.99, lon: -94.72 };
const ZIP = '66204';
let zipPoint: { lat: number; lon: number };
/** About 40 seeded facilities lie within 25 km of Overland Park. */
const RADIUS_KM = 25;

const brute = (point: { lat: number; lon: number }, q: BruteQuery = {}): BruteHit[] =>
  bruteNearby(directory, point, q, statuses);

beforeAll(async () => {
  t = await startTestStack('routing-nearby', {
    ...WITH_FACILITIES,
    ...textPartnerClients(['partner-demo-app']),
  });
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  directory = await readScanFacilities({
    query: async <R extends pg.QueryResultRow>(text: string) => ({ rows: await t.sql<R>(text) }),
  });
  const [centroid] = await t.sql<{ lat: number; lon: number }>(
    'SELECT lat, lon FROM routing.zip_centroid WHERE zip = $1',
    [ZIP],
  );
  zipPoint = centroid!;
  const byId = new Map(directory.map((f) => [f.id, f]));
  const near = bruteNearby(directory, OVERLAND_PARK, { radiusKm: RADIUS_KM }).map((h) =>
    byId.get(h.id)!,
  );
  roundTheClock = near.find((f) => f.kind === 'urgent-care' && !f.emergency)!.id;
  diverted = near.find((f) => f.kind === 'hospital' && f.emergency)!.id;
  const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
    weekday: weekday as 1 | 2 | 3 | 4 | 5 | 6 | 7,
    start: '00:00',
    end: '24:00',
  }));
  statuses.set(roundTheClock, { hours: allWeek, diversion: false });
  statuses.set(diverted, { hours: null, diversion: true });
  await t.sql(
    `INSERT INTO routing.facility_status (facility_id, hours, diversion)
     VALUES ($1, $2::jsonb, false), ($3, NULL, true)`,
    [roundTheClock, JSON.stringify(allWeek), diverted],
  );
}, 180_000);
afterAll(() => t?.stop());

const NEARBY = /* GraphQL */ `
  query (
    $near: PlaceInput!
    $radiusKm: Float
    $kinds: [FacilityKind!]
    $services: [CareService!]
    $openNow: Boolean
    $excludeDiversion: Boolean
    $first: Int
    $after: String
  ) {
    nearbyFacilities(
      near: $near
      radiusKm: $radiusKm
      kinds: $kinds
      services: $services
      openNow: $openNow
      excludeDiversion: $excludeDiversion
      first: $first
      after: $after
    ) {
      edges {
        cursor
        node {
          distanceKm
          facility {
            id
            kind
            emergency
            services
            location {
              latitude
              longitude
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

interface Nearby {
  nearbyFacilities: {
    edges: {
      cursor: string;
      node: {
        distanceKm: number;
        facility: {
          id: string;
          kind: string;
          emergency: boolean;
          services: string[];
          location: { latitude: number; longitude: number };
        };
      };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

async function search(vars: Record<string, unknown>, token = clinician) {
  const r = await t.gql<Nearby>(token, NEARBY, vars);
  expect(r.errors).toBeUndefined();
  return r.data!.nearbyFacilities;
}

const idsOf = (c: Nearby['nearbyFacilities']) => c.edges.map((e) => e.node.facility.id);

/** The errors of a refused call as [code, message]; its data must be null. */
function refusals(r: GqlResponse): [string | undefined, string][] {
  expect(r.data ?? null).toBeNull();
  return (r.errors ?? []).map((e) => [e.extensions?.code, e.message]);
}

describe('nearbyFacilities', () => {
  it('the seeded directory is there: Kansas, around Overland Park', () => {
    expect(directory.length).toBeGreaterThan(300);
    expect(brute(OVERLAND_PARK, { radiusKm: RADIUS_KM }).length).toBeGreaterThan(30);
    expect(brute(OVERLAND_PARK, { radiusKm: RADIUS_KM }).length).toBeLessThanOrEqual(
      MAX_NEARBY_PAGE,
    );
  });

  it('by point: nearest first, with great-circle distances', async () => {
    const c = await search({
      near: { latitude: OVERLAND_PARK.lat, longitude: OVERLAND_PARK.lon },
      radiusKm: RADIUS_KM,
      first: MAX_NEARBY_PAGE,
    });
    const expected = brute(OVERLAND_PARK, { radiusKm: RADIUS_KM });
    expect(orderMismatch(idsOf(c), expected)).toBeNull();
    const km = new Map(expected.map((h) => [h.id, h.km]));
    for (const e of c.edges) {
      const want = km.get(e.node.facility.id)!;
      expect(Math.abs(e.node.distanceKm - want)).toBeLessThanOrEqual(want * 0.005 + 1e-6);
    }
    expect(c.pageInfo).toEqual({ hasNextPage: false, endCursor: c.edges.at(-1)!.cursor });
  });

  it('without a radius, nearest first over the whole directory', async () => {
    const seattle = { lat: 47.5, lon: -122.2 };
    const c = await search({ near: { latitude: seattle.lat, longitude: seattle.lon }, first: 2 });
    expect(orderMismatch(idsOf(c), brute(seattle).slice(0, 2))).toBeNull();
    expect(c.pageInfo.hasNextPage).toBe(true);
  });

  it('by ZIP code (or ZIP+4): from its centroid', async () => {
    const byZip = await search({
      near: { postalCode: `${ZIP}-1234` },
      radiusKm: RADIUS_KM,
      first: MAX_NEARBY_PAGE,
    });
    const byPoint = await search({
      near: { latitude: zipPoint.lat, longitude: zipPoint.lon },
      radiusKm: RADIUS_KM,
      first: MAX_NEARBY_PAGE,
    });
    expect(idsOf(byZip)).toEqual(idsOf(byPoint));
    expect(byZip.edges.map((e) => e.node.distanceKm)).toEqual(
      byPoint.edges.map((e) => e.node.distanceKm),
    );
    expect(orderMismatch(idsOf(byZip), brute(zipPoint, { radiusKm: RADIUS_KM }))).toBeNull();
  });

  it('pages with its cursors: the same order, no duplicates or gaps', async () => {
    const near = { postalCode: ZIP };
    const all = idsOf(await search({ near, radiusKm: RADIUS_KM, first: MAX_NEARBY_PAGE }));
    const walked: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await search({ near, radiusKm: RADIUS_KM, first: 4, after });
      walked.push(...idsOf(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(walked).toEqual(all);
    expect(new Set(walked).size).toBe(walked.length);
  });

  it('filters by kind, service, open now and diversion', async () => {
    const near = { postalCode: ZIP };
    const ids = async (vars: Record<string, unknown>) =>
      idsOf(await search({ near, radiusKm: RADIUS_KM, first: MAX_NEARBY_PAGE, ...vars })).sort();
    const want = (q: BruteQuery) =>
      brute(zipPoint, { radiusKm: RADIUS_KM, ...q })
        .map((h) => h.id)
        .sort();
    const everything = want({});
    const cases: [Record<string, unknown>, BruteQuery][] = [
      [{ kinds: ['hospital', 'veterans'] }, { kinds: ['hospital', 'veterans'] }],
      [{ services: ['emergency'] }, { services: ['emergency'] }],
      [{ services: ['emergency', 'inpatient'] }, { services: ['emergency', 'inpatient'] }],
      [{ openNow: true }, { openNow: new Date() }],
      [{ openNow: false }, {}],
      [{ excludeDiversion: true }, { excludeDiversion: true }],
      [
        { openNow: true, excludeDiversion: true, services: ['emergency'] },
        { openNow: new Date(), excludeDiversion: true, services: ['emergency'] },
      ],
    ];
    for (const [vars, q] of cases) {
      const expected = want(q);
      expect(expected.length).toBeGreaterThan(0);
      expect(await ids(vars)).toEqual(expected);
    }
    // Emergency departments never close; the urgent care reports 24/7 hours; the rest are unknown.
    const byId = new Map(directory.map((f) => [f.id, f]));
    const open = await ids({ openNow: true });
    expect(open).toContain(roundTheClock);
    expect(open).toContain(diverted);
    expect(open.every((id) => byId.get(id)!.emergency || id === roundTheClock)).toBe(true);
    expect(open.length).toBeLessThan(everything.length);
    expect(await ids({ openNow: false })).toEqual(everything);
    expect(await ids({ excludeDiversion: true })).toEqual(
      everything.filter((id) => id !== diverted),
    );
    expect(
      await ids({ openNow: true, excludeDiversion: true, services: ['emergency'] }),
    ).not.toContain(diverted);
  });

  it('a partner app can search; an anonymous caller cannot', async () => {
    const partner = await t.token('partner', { sub: 'nearby-partner' });
    const c = await search({ near: { postalCode: ZIP }, radiusKm: 10 }, partner);
    expect(idsOf(c)).toContain(brute(zipPoint, { radiusKm: 10 })[0]!.id);
    const r = await t.gql(undefined, NEARBY, { near: { postalCode: ZIP } });
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('bad input: one BAD_USER_INPUT saying what to fix, nothing else', () => {
  const point = { latitude: 39, longitude: -94.6 };
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'latitude 91',
      { near: { latitude: 91, longitude: 0 } },
      'near.latitude must be between -90 and 90',
    ],
    [
      'longitude −181',
      { near: { latitude: 0, longitude: -181 } },
      'near.longitude must be between -180 and 180',
    ],
    [
      'latitude without longitude',
      { near: { latitude: 10 } },
      'near.longitude is needed with a latitude',
    ],
    [
      'radius 0',
      { near: point, radiusKm: 0 },
      `radiusKm must be more than 0 and at most ${MAX_RADIUS_KM}`,
    ],
    [
      'radius negative',
      { near: point, radiusKm: -5 },
      `radiusKm must be more than 0 and at most ${MAX_RADIUS_KM}`,
    ],
    [
      'radius over the maximum',
      { near: point, radiusKm: MAX_RADIUS_KM + 1 },
      `radiusKm must be more than 0 and at most ${MAX_RADIUS_KM}`,
    ],
    [
      'unknown ZIP',
      { near: { postalCode: '00000' } },
      'near.postalCode is not a known ZIP code; give latitude and longitude instead',
    ],
    [
      'malformed ZIP',
      { near: { postalCode: '6620' } },
      'near.postalCode must be a five-digit ZIP code (or ZIP+4, 12345-6789)',
    ],
    [
      'ZIP with letters',
      { near: { postalCode: 'KS662' } },
      'near.postalCode must be a five-digit ZIP code (or ZIP+4, 12345-6789)',
    ],
    [
      'point and ZIP',
      { near: { ...point, postalCode: ZIP } },
      'near takes either latitude and longitude or a postalCode, not both',
    ],
    ['neither', { near: {} }, 'near needs latitude and longitude, or a postalCode'],
    [
      'first over the maximum',
      { near: point, first: MAX_NEARBY_PAGE + 1 },
      `first must be between 1 and ${MAX_NEARBY_PAGE}`,
    ],
    ['first 0', { near: point, first: 0 }, `first must be between 1 and ${MAX_NEARBY_PAGE}`],
    ['a cursor that is not one', { near: point, after: 'bogus' }, 'after is not a valid cursor'],
  ];
  it.each(cases)('%s', async (_name, vars, message) => {
    const r = await t.gql(clinician, NEARBY, vars);
    expect(refusals(r)).toEqual([['BAD_USER_INPUT', message]]);
  });

  it('a cursor of another search', async () => {
    const c = await search({ near: { postalCode: ZIP }, first: 1 });
    const r = await t.gql(clinician, NEARBY, {
      near: { latitude: 40, longitude: -90 },
      first: 1,
      after: c.pageInfo.endCursor,
    });
    expect(refusals(r)).toEqual([
      ['BAD_USER_INPUT', 'after is a cursor of another search: repeat the same arguments'],
    ]);
  });

  // The gateway's query planner cannot write an infinite literal back into the subgraph's
  // query and throws INVALID_GRAPHQL, which platform/errors/format.ts answers as
  // BAD_USER_INPUT without the value (the subgraph itself refuses it: store/nearby.test.ts).
  it('an infinite coordinate written in the query text', async () => {
    const r = await t.gql(
      clinician,
      /* GraphQL */ `
        {
          nearbyFacilities(near: { latitude: 1e999, longitude: 0 }) {
            edges {
              cursor
            }
          }
        }
      `,
    );
    expect(refusals(r)).toEqual([
      [
        'BAD_USER_INPUT',
        'Argument "near" has a value its type cannot take; check the values written in the query (numbers must be finite)',
      ],
    ]);
    expect(JSON.stringify(r.errors)).not.toMatch(/1e999|Infinity/);
  });

  it('NaN or infinity as a variable: refused by the GraphQL Float itself', async () => {
    for (const body of [
      '{"query":"query($n: PlaceInput!){nearbyFacilities(near:$n){edges{cursor}}}","variables":{"n":{"latitude":"NaN","longitude":0}}}',
      '{"query":"query($n: PlaceInput!){nearbyFacilities(near:$n){edges{cursor}}}","variables":{"n":{"latitude":1e999,"longitude":0}}}',
    ]) {
      const res = await fetch(t.stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${clinician}` },
        body,
      });
      const json = (await res.json()) as Omit<GqlResponse, 'status' | 'headers'>;
      expect(json.data ?? null).toBeNull();
      expect(json.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
        [
          'BAD_USER_INPUT',
          'Variable "$n" has an invalid value; Float cannot represent the value given',
        ],
      ]);
    }
  });
});
