import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../../platform/testing/subgraph-test-store.js';
import type { IsoWeekday, WeeklyHours } from '../../../platform/time/index.js';
import type { CareServiceName, FacilityKind } from '../domain/facility-kinds.js';
import { MAX_NEARBY_PAGE, MAX_RADIUS_KM } from '../domain/search-limits.js';
import { entities } from '../entities/index.js';
import { migrations } from '../migrations/index.js';
import { SCHEMA } from '../server.js';
import { applyScheduleChanged } from './availability-projection.js';
import { scheduleChanged } from './availability-testing.js';
import { nearbyStatement, searchNearby, type NearbyQuery, type NearbyRow } from './nearby.js';
import {
  bruteNearby,
  importWholeDirectory,
  orderMismatch,
  type BruteQuery,
  type ScanFacility,
  type ScanStatus,
} from './nearby-testing.js';
import { parsePlace, resolvePlace, resolvePlaces, type GeoPointValue } from './places.js';

/**
 * The nearby search over the whole directory as the product imports it
 * (data/care-routing, every file and state) on real PostgreSQL: its plans
 * use the GiST index and never scan the facility table; paging walks the
 * exact unpaged order; every filter (kind, service, open now, diversion,
 * specialty) gives exactly what a brute-force scan gives; the radius edge is
 * inclusive; places resolve, ZIP codes in one statement.
 */
let store: SubgraphTestStore;
let admin: pg.Client;
let facilities: ScanFacility[];
const statuses = new Map<string, ScanStatus>();
const em = (): EntityManager => store.orm.em.fork();

/** A small seeded PRNG (mulberry32): the statuses are the same every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hhmm = (minutes: number) =>
  minutes === 1440
    ? '24:00'
    : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Weekly hours on some days: one or two intervals on the half hour, some to midnight. */
function randomHours(rand: () => number): WeeklyHours {
  const out: { weekday: IsoWeekday; start: string; end: string }[] = [];
  for (let d = 1; d <= 7; d++) {
    if (rand() < 0.3) continue;
    const start = Math.floor(rand() * 40) * 30;
    const mid = Math.min(1440, start + 30 + Math.floor(rand() * 20) * 30);
    out.push({ weekday: d as IsoWeekday, start: hhmm(start), end: hhmm(mid) });
    if (mid < 1380 && rand() < 0.4)
      out.push({ weekday: d as IsoWeekday, start: hhmm(mid + 60), end: hhmm(1440) });
  }
  return out;
}

beforeAll(async () => {
  store = await openSubgraphTestStore('routing_nearby', { schema: SCHEMA, entities, migrations });
  admin = new pg.Client(store.adminUrl);
  await admin.connect();
  facilities = await importWholeDirectory(em(), admin);
  const rand = prng(15);
  for (const f of facilities) {
    const r = rand();
    if (r > 0.45) continue;
    statuses.set(f.id, {
      hours: r < 0.35 ? randomHours(rand) : null,
      diversion: r < 0.06 ? true : r < 0.2 ? false : null,
    });
  }
  await admin.query(
    `INSERT INTO routing.facility_status (facility_id, hours, diversion)
     SELECT id, hours, diversion FROM json_to_recordset($1::json) AS r(id text, hours jsonb, diversion boolean)`,
    [JSON.stringify([...statuses].map(([id, s]) => ({ id, ...s })))],
  );
  await admin.query('ANALYZE routing.facility_status');
}, 120_000);
afterAll(async () => {
  await admin?.end();
  await store?.close();
});

/** Every page of a search, walked with its cursors. */
async function allPages(q: Omit<NearbyQuery, 'after'>): Promise<NearbyRow[]> {
  const out: NearbyRow[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await searchNearby(em(), { ...q, after });
    out.push(...page.rows);
    if (!page.hasNextPage) return out;
    after = page.endCursor;
  }
}

const ids = (rows: readonly NearbyRow[]) => rows.map((r) => r.facility.id);

const KANSAS_CITY = { lat: 39.0997, lon: -94.5786 };
const MANHATTAN = { lat: 40.7831, lon: -73.9712 };
const RURAL_NEVADA = { lat: 39.5, lon: -116.9 };
const ANCHORAGE = { lat: 61.2181, lon: -149.9003 };
const POINTS: GeoPointValue[] = [KANSAS_CITY, MANHATTAN, RURAL_NEVADA, ANCHORAGE];

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

async function planOf(q: NearbyQuery): Promise<PlanNode[]> {
  const st = nearbyStatement(q);
  const [row] = await em().execute<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
    `EXPLAIN (FORMAT JSON) ${st.sql}`,
    st.params,
  );
  return nodesOf(row!['QUERY PLAN'][0]!.Plan);
}

describe('query plans (the whole directory, analysed)', () => {
  const cases: [string, NearbyQuery][] = [
    ['nearest 20', { point: KANSAS_CITY, first: 20 }],
    ['nearest 100 in Manhattan', { point: MANHATTAN, first: MAX_NEARBY_PAGE }],
    ['within 25 km', { point: KANSAS_CITY, radiusKm: 25, first: 20 }],
    ['within the largest radius', { point: MANHATTAN, radiusKm: MAX_RADIUS_KM, first: 100 }],
    [
      'nearest VA, open now, not on diversion',
      {
        point: RURAL_NEVADA,
        kinds: ['veterans'],
        openNow: new Date(),
        excludeDiversion: true,
        first: 20,
      },
    ],
    [
      'within 100 km offering emergency and inpatient care',
      { point: KANSAS_CITY, radiusKm: 100, services: ['emergency', 'inpatient'], first: 20 },
    ],
  ];
  it.each(cases)('%s: the GiST index, never a scan of every facility', async (_name, q) => {
    const nodes = await planOf(q);
    expect(
      nodes.some(
        (n) =>
          ['Index Scan', 'Bitmap Index Scan'].includes(n['Node Type']) &&
          n['Index Name'] === 'facility_earth_idx',
      ),
    ).toBe(true);
    expect(
      nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'facility'),
    ).toEqual([]);
  });

  it('a later page too (the cursor condition is a filter on the same index scan)', async () => {
    const page = await searchNearby(em(), { point: KANSAS_CITY, first: 20 });
    const nodes = await planOf({ point: KANSAS_CITY, first: 20, after: page.endCursor });
    expect(nodes.some((n) => n['Index Name'] === 'facility_earth_idx')).toBe(true);
    expect(nodes.some((n) => n['Node Type'] === 'Seq Scan')).toBe(false);
  });
});

describe('paging', () => {
  it.each(POINTS)('walking small pages gives exactly the unpaged order (%o)', async (point) => {
    const small = await allPages({ point, radiusKm: 120, first: 7 });
    const big = await allPages({ point, radiusKm: 120, first: MAX_NEARBY_PAGE });
    expect(ids(small)).toEqual(ids(big));
    expect(new Set(ids(small)).size).toBe(small.length);
    expect(orderMismatch(ids(small), bruteNearby(facilities, point, { radiusKm: 120 }))).toBeNull();
  });

  it('nearest-first without a radius pages on past the first page', async () => {
    const rows: NearbyRow[] = [];
    let after: string | null = null;
    for (let p = 0; p < 5; p++) {
      const page = await searchNearby(em(), { point: ANCHORAGE, first: 50, after });
      expect(page.hasNextPage).toBe(true);
      rows.push(...page.rows);
      after = page.endCursor;
    }
    expect(orderMismatch(ids(rows), bruteNearby(facilities, ANCHORAGE).slice(0, 250))).toBeNull();
  });

  it('the last page says so, and an empty search has no cursor', async () => {
    const all = await allPages({ point: RURAL_NEVADA, radiusKm: 50, first: 3 });
    const last = await searchNearby(em(), { point: RURAL_NEVADA, radiusKm: 50, first: 100 });
    expect(last.hasNextPage).toBe(false);
    expect(ids(last.rows)).toEqual(ids(all));
    const none = await searchNearby(em(), { point: { lat: 0, lon: -140 }, radiusKm: 10, first: 5 });
    expect(none).toEqual({ rows: [], hasNextPage: false, endCursor: null });
  });

  it('refuses a cursor of another search, and a forged or malformed one', async () => {
    const page = await searchNearby(em(), { point: KANSAS_CITY, first: 5 });
    const refusal = (q: NearbyQuery) =>
      searchNearby(em(), q).then(
        () => 'no refusal',
        (e: { extensions?: { code?: string; field?: string }; message: string }) => [
          e.extensions?.code,
          e.extensions?.field,
          e.message,
        ],
      );
    expect(await refusal({ point: MANHATTAN, first: 5, after: page.endCursor })).toEqual([
      'BAD_USER_INPUT',
      'after',
      'after is a cursor of another search: repeat the same arguments',
    ]);
    expect(
      await refusal({ point: KANSAS_CITY, first: 5, kinds: ['hospital'], after: page.endCursor }),
    ).toEqual(['BAD_USER_INPUT', 'after', expect.stringContaining('another search')]);
    const forged = Buffer.from(JSON.stringify(['nearby', 'x', -1, 'f; DROP'])).toString(
      'base64url',
    );
    for (const after of [forged, 'not a cursor', ''])
      expect(await refusal({ point: KANSAS_CITY, first: 5, after })).toEqual([
        'BAD_USER_INPUT',
        'after',
        'after is not a valid cursor',
      ]);
    // The same search's cursor still works (first may change between pages).
    const next = await searchNearby(em(), { point: KANSAS_CITY, first: 9, after: page.endCursor });
    expect(next.rows).toHaveLength(9);
  });
});

describe('filters, exactly as a brute-force scan', () => {
  const at = (iso: string) => new Date(iso);
  const instants = [
    at('2026-12-07T14:00:00Z'), // Monday, on the hour everywhere in the US: interval edges
    at('2026-12-12T03:30:00Z'), // Friday evening in the west, Saturday early in the east
    at('2026-12-13T20:17:42Z'), // Sunday afternoon
  ];
  const kinds: (readonly FacilityKind[])[] = [
    ['hospital'],
    ['urgent-care', 'primary-care'],
    ['veterans'],
  ];
  const services: (readonly CareServiceName[])[] = [
    ['emergency'],
    ['primary-care', 'paediatrics'],
    ['womens-health'],
  ];
  const cases: [string, BruteQuery][] = [
    ...kinds.map((k): [string, BruteQuery] => [`kinds ${k.join('+')}`, { kinds: k }]),
    ...services.map((s): [string, BruteQuery] => [`services ${s.join('+')}`, { services: s }]),
    ...instants.map((d): [string, BruteQuery] => [`open at ${d.toISOString()}`, { openNow: d }]),
    ['not on diversion', { excludeDiversion: true }],
    [
      'urgent care open now, not on diversion',
      { kinds: ['urgent-care'], openNow: instants[0], excludeDiversion: true },
    ],
  ];

  it.each(cases)('%s, within 150 km and nearest 20', async (_name, filter) => {
    for (const point of POINTS) {
      const within = await allPages({ point, ...filter, radiusKm: 150, first: 60 });
      const want = bruteNearby(facilities, point, { ...filter, radiusKm: 150 }, statuses);
      expect(orderMismatch(ids(within), want)).toBeNull();
      const nearest = await searchNearby(em(), { point, ...filter, first: 20 });
      const wantNearest = bruteNearby(facilities, point, filter, statuses).slice(0, 20);
      expect(orderMismatch(ids(nearest.rows), wantNearest)).toBeNull();
    }
  });

  it('open now counts emergency departments as open and unknown hours as closed', async () => {
    const q = { point: KANSAS_CITY, radiusKm: 60, openNow: instants[0], first: 100 };
    const open = new Set(ids(await allPages(q)));
    const near = bruteNearby(facilities, KANSAS_CITY, { radiusKm: 60 });
    const byId = new Map(facilities.map((f) => [f.id, f]));
    for (const { id } of near) {
      const f = byId.get(id)!;
      if (f.emergency) expect(open.has(id)).toBe(true);
      else if (!statuses.get(id)?.hours) expect(open.has(id)).toBe(false);
    }
    expect(open.size).toBeGreaterThan(0);
    expect(open.size).toBeLessThan(near.length);
  });

  it('specialty: an active schedule at one of the facility’s Locations lists it', async () => {
    const near = bruteNearby(facilities, KANSAS_CITY, { radiusKm: 40 }).slice(0, 12);
    const rows = near.map((h, i) => ({
      facility: h.id,
      location: `loc-${i}`,
      specialties: i % 3 === 0 ? ['Cardiology', 'General Practice'] : ['General Practice'],
      active: i !== 3,
    }));
    await admin.query(
      `INSERT INTO routing.facility_location (location_id, facility_id, matched_by)
       SELECT location, facility, 'own' FROM json_to_recordset($1::json) AS r(location text, facility text)`,
      [JSON.stringify(rows)],
    );
    for (const r of rows)
      await applyScheduleChanged(
        em(),
        scheduleChanged({
          facilityId: r.location,
          specialties: r.specialties,
          active: r.active,
        }),
      );
    const cardiology = new Set(
      rows.filter((r) => r.active && r.specialties.includes('Cardiology')).map((r) => r.facility),
    );
    expect(cardiology.size).toBe(3);
    const got = await searchNearby(em(), {
      point: KANSAS_CITY,
      specialty: 'cardiology',
      first: 20,
    });
    expect(
      orderMismatch(
        ids(got.rows),
        bruteNearby(facilities, KANSAS_CITY, { withSpecialty: cardiology }),
      ),
    ).toBeNull();
    expect(got.rows.map((r) => r.facility.locationIds.length)).toEqual([1, 1, 1]);
  });
});

describe('the radius edge', () => {
  it('is inclusive to the last bit: at exactly its distance a facility is in, a hair less and it is out', async () => {
    const nearest = await searchNearby(em(), { point: RURAL_NEVADA, first: 5 });
    for (const { facility } of nearest.rows) {
      const [row] = await em().execute<{ m: number }[]>(
        `SELECT public.earth_distance(earth, public.ll_to_earth(?::float8, ?::float8)) AS m
           FROM facility WHERE id = ?`,
        [RURAL_NEVADA.lat, RURAL_NEVADA.lon, facility.id],
      );
      const m = row!.m;
      // The search compares earth_distance (m) with radiusKm × 1000 in float8.
      let r = m / 1000;
      while (r * 1000 < m) r += Number.EPSILON * r;
      const inside = await allPages({ point: RURAL_NEVADA, radiusKm: r, first: 100 });
      expect(ids(inside)).toContain(facility.id);
      const outside = await allPages({
        point: RURAL_NEVADA,
        radiusKm: r * (1 - 1e-12),
        first: 100,
      });
      expect(ids(outside)).not.toContain(facility.id);
    }
  });
});

describe('places', () => {
  // The imported centroids (data/care-routing/zipcodes.csv).
  const OVERLAND_PARK_66204 = { lat: 38.990381, lon: -94.678214 };
  const ANCHORAGE_99501 = { lat: 61.220018, lon: -149.855702 };

  it('a point as given (rounded to 1e-9 degree), a ZIP or ZIP+4 as its centroid', async () => {
    expect(parsePlace({ latitude: 39.1, longitude: -94.5 })).toEqual({
      point: { lat: 39.1, lon: -94.5 },
    });
    expect(parsePlace({ latitude: 1e-300, longitude: -0 })).toEqual({ point: { lat: 0, lon: 0 } });
    expect(await resolvePlace(em(), parsePlace({ postalCode: '66204-1234' }))).toEqual(
      OVERLAND_PARK_66204,
    );
  });

  it('resolves many places with one statement for all their ZIP codes', async () => {
    let statements = 0;
    const counted = store.orm.em.fork();
    const execute = counted.execute.bind(counted);
    counted.execute = ((...a: Parameters<typeof execute>) => {
      statements++;
      return execute(...a);
    }) as typeof counted.execute;
    const points = await resolvePlaces(counted, [
      parsePlace({ postalCode: '66204' }),
      parsePlace({ latitude: 10, longitude: 20 }),
      parsePlace({ postalCode: '99501' }),
      parsePlace({ postalCode: '66204-0001' }),
    ]);
    expect(points).toEqual([
      OVERLAND_PARK_66204,
      { lat: 10, lon: 20 },
      ANCHORAGE_99501,
      OVERLAND_PARK_66204,
    ]);
    expect(statements).toBe(1);
  });

  it('refuses bad places with BAD_USER_INPUT naming the field, never echoing the value', async () => {
    const refusal = async (f: () => unknown) => {
      try {
        await f();
        return 'no refusal';
      } catch (e) {
        const err = e as { extensions?: { code?: string; field?: string }; message: string };
        return `${err.extensions?.code} ${err.extensions?.field}: ${err.message}`;
      }
    };
    const cases: [object, string][] = [
      [{ latitude: 91, longitude: 0 }, 'near.latitude'],
      [{ latitude: -90.0001, longitude: 0 }, 'near.latitude'],
      [{ latitude: 0, longitude: -181 }, 'near.longitude'],
      [{ latitude: Number.NaN, longitude: 0 }, 'near.latitude'],
      [{ latitude: 0, longitude: Number.POSITIVE_INFINITY }, 'near.longitude'],
      [{ latitude: 10 }, 'near.longitude'],
      [{ longitude: 10 }, 'near.latitude'],
      [{ postalCode: '6620' }, 'near.postalCode'],
      [{ postalCode: '66204-12' }, 'near.postalCode'],
      [{ postalCode: "66204' OR 1=1" }, 'near.postalCode'],
      [{ latitude: 1, longitude: 2, postalCode: '66204' }, 'near'],
      [{}, 'near'],
    ];
    for (const [args, field] of cases) {
      const r = await refusal(() => parsePlace(args));
      expect(r).toMatch(new RegExp(`^BAD_USER_INPUT ${field.replace('.', '\\.')}: `));
      expect(r).not.toMatch(/OR 1=1|NaN|Infinity|6620 |66204-12/);
    }
    expect(await refusal(() => resolvePlace(em(), parsePlace({ postalCode: '00000' })))).toBe(
      'BAD_USER_INPUT near.postalCode: near.postalCode is not a known ZIP code; give latitude and longitude instead',
    );
  });

  it('refuses search limits with BAD_USER_INPUT naming the argument', async () => {
    const field = (q: Partial<NearbyQuery>) =>
      searchNearby(em(), { point: KANSAS_CITY, ...q }).then(
        () => 'no refusal',
        (e: { extensions?: { code?: string; field?: string } }) =>
          `${e.extensions?.code} ${e.extensions?.field}`,
      );
    for (const radiusKm of [0, -1, MAX_RADIUS_KM + 0.001, Number.NaN, Number.POSITIVE_INFINITY])
      expect(await field({ radiusKm })).toBe('BAD_USER_INPUT radiusKm');
    for (const first of [0, -1, MAX_NEARBY_PAGE + 1, 2.5])
      expect(await field({ first })).toBe('BAD_USER_INPUT first');
    for (const specialty of ['', '   ', 'x'.repeat(101)])
      expect(await field({ specialty })).toBe('BAD_USER_INPUT specialty');
    expect(await field({ point: { lat: 95, lon: 0 } })).toBe('BAD_USER_INPUT near');
    expect(await field({ radiusKm: MAX_RADIUS_KM, first: MAX_NEARBY_PAGE })).toBe('no refusal');
  });
});
