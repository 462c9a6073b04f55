import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_NEARBY_PAGE,
  MAX_RADIUS_KM,
} from '../../subgraphs/care-routing/domain/search-limits.js';
import { haversineKm } from '../../subgraphs/care-routing/domain/haversine.js';
import { textPartnerClients } from '../support/clients.js';
import { startTestStack, type GqlResponse, type TestStack } from '../support/stack.js';

/**
 * `nearbyFacilities` through the gateway: by point and by ZIP code, sorted
 * by the distance it returns, paged, filtered; every bad argument a single
 * BAD_USER_INPUT naming what to fix; signed-in callers only, partner apps
 * included.
 */
let t: TestStack;
let clinician: string;

const OVERLAND_PARK = { lat: 38.9822, lon: -94.6708 };
const ZIP = { zip: '66204', lat: 38.9922, lon: -94.6766 };

/** The test's directory: a few facilities around Overland Park, one far away. */
const FACILITIES = [
  { id: 'np-er', kind: 'hospital', lat: 38.99, lon: -94.68, emergency: true },
  { id: 'np-uc', kind: 'urgent-care', lat: 38.97, lon: -94.7, emergency: false },
  { id: 'np-pc', kind: 'primary-care', lat: 39.02, lon: -94.6, emergency: false },
  { id: 'np-div', kind: 'hospital', lat: 38.95, lon: -94.75, emergency: true },
  { id: 'np-va', kind: 'veterans', lat: 39.07, lon: -94.53, emergency: false },
  { id: 'np-far', kind: 'hospital', lat: 47.6, lon: -122.3, emergency: true },
] as const;

/**
 * Inserts the test's directory as superuser (the care-routing seed has no
 * facilities in test stacks yet): swap for SEED_FACILITIES=demo rows when the
 * directory seed lands. Urgent care open round the clock; the second
 * hospital on diversion; primary care with unknown hours.
 */
async function insertDirectory(): Promise<void> {
  await t.sql(
    `INSERT INTO routing.facility (id, source, source_key, kind, name, lat, lon, emergency, region, time_zone, digest)
     SELECT id, 'fhir-location', id, kind, 'Nearby test ' || id, lat, lon, emergency, '662', 'America/Chicago', 'test'
       FROM json_to_recordset($1::json) AS r(id text, kind text, lat float8, lon float8, emergency boolean)`,
    [JSON.stringify(FACILITIES)],
  );
  await t.sql(
    `INSERT INTO routing.facility_service (facility_id, service)
     VALUES ('np-er', 'emergency'), ('np-er', 'inpatient'), ('np-uc', 'urgent-care'),
            ('np-pc', 'primary-care'), ('np-div', 'emergency'), ('np-va', 'veterans-care')`,
  );
  const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
    weekday,
    start: '00:00',
    end: '24:00',
  }));
  await t.sql(
    `INSERT INTO routing.facility_status (facility_id, hours, diversion)
     VALUES ('np-uc', $1::jsonb, false), ('np-div', NULL, true)`,
    [JSON.stringify(allWeek)],
  );
  await t.sql(
    `INSERT INTO routing.zip_centroid (zip, lat, lon, state, place) VALUES ($1, $2, $3, 'KS', 'Overland Park')
     ON CONFLICT (zip) DO NOTHING`,
    [ZIP.zip, ZIP.lat, ZIP.lon],
  );
}

beforeAll(async () => {
  t = await startTestStack('routing-nearby', textPartnerClients(['partner-demo-app']));
  clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
  await insertDirectory();
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
        facility: { id: string; location: { latitude: number; longitude: number } };
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
  it('by point: nearest first, with great-circle distances', async () => {
    const c = await search({
      near: { latitude: OVERLAND_PARK.lat, longitude: OVERLAND_PARK.lon },
      radiusKm: 50,
    });
    const expected = FACILITIES.filter((f) => f.id !== 'np-far')
      .map((f) => ({ id: f.id, km: haversineKm(OVERLAND_PARK, f) }))
      .sort((a, b) => a.km - b.km);
    expect(idsOf(c)).toEqual(expected.map((e) => e.id));
    c.edges.forEach((e, i) =>
      expect(Math.abs(e.node.distanceKm - expected[i]!.km)).toBeLessThan(expected[i]!.km * 0.005),
    );
    expect(c.pageInfo).toEqual({ hasNextPage: false, endCursor: c.edges.at(-1)!.cursor });
  });

  it('without a radius, nearest first over the whole directory', async () => {
    const c = await search({ near: { latitude: 47.5, longitude: -122.2 }, first: 2 });
    expect(idsOf(c)[0]).toBe('np-far');
    expect(c.pageInfo.hasNextPage).toBe(true);
  });

  it('by ZIP code (or ZIP+4): from its centroid', async () => {
    const byZip = await search({ near: { postalCode: '66204-1234' }, radiusKm: 50 });
    const byPoint = await search({ near: { latitude: ZIP.lat, longitude: ZIP.lon }, radiusKm: 50 });
    expect(idsOf(byZip)).toEqual(idsOf(byPoint));
    expect(byZip.edges.map((e) => e.node.distanceKm)).toEqual(
      byPoint.edges.map((e) => e.node.distanceKm),
    );
  });

  it('pages with its cursors: the same order, no duplicates or gaps', async () => {
    const near = { postalCode: ZIP.zip };
    const all = idsOf(await search({ near, radiusKm: 50 }));
    const walked: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await search({ near, radiusKm: 50, first: 2, after });
      walked.push(...idsOf(page));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(walked).toEqual(all);
  });

  it('filters by kind, service, open now and diversion', async () => {
    const near = { postalCode: ZIP.zip };
    const ids = async (vars: Record<string, unknown>) =>
      idsOf(await search({ near, radiusKm: 50, ...vars })).sort();
    expect(await ids({ kinds: ['hospital', 'veterans'] })).toEqual(['np-div', 'np-er', 'np-va']);
    expect(await ids({ services: ['emergency'] })).toEqual(['np-div', 'np-er']);
    expect(await ids({ services: ['emergency', 'inpatient'] })).toEqual(['np-er']);
    // Emergency departments never close; urgent care reports 24/7 hours; the rest are unknown.
    expect(await ids({ openNow: true })).toEqual(['np-div', 'np-er', 'np-uc']);
    expect(await ids({ openNow: false })).toHaveLength(5);
    expect(await ids({ excludeDiversion: true })).toEqual(['np-er', 'np-pc', 'np-uc', 'np-va']);
    expect(await ids({ openNow: true, excludeDiversion: true, services: ['emergency'] })).toEqual([
      'np-er',
    ]);
  });

  it('a partner app can search; an anonymous caller cannot', async () => {
    const partner = await t.token('partner', { sub: 'nearby-partner' });
    const c = await search({ near: { postalCode: ZIP.zip }, radiusKm: 10 }, partner);
    expect(idsOf(c)).toContain('np-er');
    const r = await t.gql(undefined, NEARBY, { near: { postalCode: ZIP.zip } });
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
      { near: { ...point, postalCode: ZIP.zip } },
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
    const c = await search({ near: { postalCode: ZIP.zip }, first: 1 });
    const r = await t.gql(clinician, NEARBY, {
      near: { latitude: 40, longitude: -90 },
      first: 1,
      after: c.pageInfo.endCursor,
    });
    expect(refusals(r)).toEqual([
      ['BAD_USER_INPUT', 'after is a cursor of another search: repeat the same arguments'],
    ]);
  });

  // Known gap, outside care routing: the gateway's query planner cannot write an infinite
  // literal back into the subgraph's query and throws INVALID_GRAPHQL, which the platform's
  // error formatter (platform/errors/format.ts) masks as an internal error. The subgraph
  // itself refuses it (store/nearby.test.ts). Drop `.fails` once the gateway maps it.
  it.fails('an infinite coordinate written in the query text', async () => {
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
    expect(refusals(r)).toEqual([['BAD_USER_INPUT', 'near.latitude must be between -90 and 90']]);
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
