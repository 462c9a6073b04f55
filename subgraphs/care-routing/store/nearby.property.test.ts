import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../../platform/testing/subgraph-test-store.js';
import { MAX_NEARBY_PAGE, MAX_RADIUS_KM } from '../domain/search-limits.js';
import { entities } from '../entities/index.js';
import { migrations } from '../migrations/index.js';
import { SCHEMA } from '../server.js';
import { searchNearby, type NearbyQuery, type NearbyRow } from './nearby.js';
import {
  bruteNearby,
  importWholeDirectory,
  orderMismatch,
  type ScanFacility,
} from './nearby-testing.js';
import type { GeoPointValue } from './places.js';

/**
 * For 200 random points (seeded), the nearest 20 and everything within a
 * random radius (every page walked) equal a brute-force haversine scan of the
 * whole directory (imported as the product imports it, read back from the
 * tables) held in memory: the same ids in the same order (ties by
 * id), distances within 0.5%.
 *
 * Robustness: ordering is compared by tie classes (`orderMismatch`): runs of
 * the brute-force list whose distances differ by less than TIE_KM (1 mm) may
 * come in any order (the database orders by chord, the scan by haversine:
 * the two agree except within float rounding; exact ties, co-located
 * facilities, are ordered by id on both sides), and a class cut by the page
 * end need only be a subset. Facilities within TIE_KM of the radius may be in or out (the
 * SQL's earth_distance and the scan's haversine may round either way there);
 * they are dropped from both lists before comparing, and the radius edge is
 * tested exactly in nearby.test.ts.
 */
let store: SubgraphTestStore;
let facilities: ScanFacility[];

beforeAll(async () => {
  store = await openSubgraphTestStore('routing_nearby_prop', {
    schema: SCHEMA,
    entities,
    migrations,
  });
  const admin = new pg.Client(store.adminUrl);
  await admin.connect();
  facilities = await importWholeDirectory(store.orm.em.fork(), admin).finally(() => admin.end());
}, 120_000);
afterAll(() => store?.close());

const TIE_KM = 1e-6;

function expectDistances(rows: readonly NearbyRow[], byId: Map<string, number>) {
  for (const r of rows) {
    const km = byId.get(r.facility.id)!;
    // 0.5%, or 1 mm at the facility's door (a relative error means nothing at distance 0).
    expect(Math.abs(r.distanceKm - km)).toBeLessThanOrEqual(0.005 * km + TIE_KM);
    expect(r.facility.lat).toBeCloseTo(facilities.find((f) => f.id === r.facility.id)!.lat, 9);
  }
}

/** Every page of a search, walked with its cursors. */
async function allPages(q: Omit<NearbyQuery, 'after'>): Promise<NearbyRow[]> {
  const out: NearbyRow[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await searchNearby(store.orm.em.fork(), { ...q, after });
    out.push(...page.rows);
    if (!page.hasNextPage) return out;
    after = page.endCursor;
  }
}

const between = (min: number, max: number) =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/** Points over the lower 48, near dense clusters, over the oceans, in Alaska and Hawaii, anywhere. */
const pointArb: fc.Arbitrary<GeoPointValue> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ lat: between(24.5, 49.4), lon: between(-124.8, -66.9) }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.nat(), between(-0.05, 0.05), between(-0.05, 0.05))
      .map(([i, dLat, dLon]) => {
        const f = facilities[i % facilities.length]!;
        return { lat: Math.max(-90, Math.min(90, f.lat + dLat)), lon: f.lon + dLon };
      }),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({ lat: between(30, 42), lon: between(-70, -50) }),
      fc.record({ lat: between(30, 45), lon: between(-140, -127) }),
      fc.record({ lat: between(24, 28), lon: between(-94, -85) }),
    ),
  },
  { weight: 2, arbitrary: fc.record({ lat: between(51, 71), lon: between(-170, -130) }) },
  { weight: 1, arbitrary: fc.record({ lat: between(18.9, 22.3), lon: between(-160.5, -154.8) }) },
  { weight: 1, arbitrary: fc.record({ lat: between(-90, 90), lon: between(-180, 180) }) },
);

/** Radii from 1 km to MAX_RADIUS_KM, spread evenly on a log scale (small ones are common asks). */
const radiusArb = fc
  .double({ min: 0, max: Math.log(MAX_RADIUS_KM), noNaN: true })
  .map((x) => Math.min(MAX_RADIUS_KM, Math.max(1, Math.exp(x))));

describe('nearby search against a brute-force haversine scan', () => {
  it('nearest 20 and within a radius (every page) match for 200 random points', async () => {
    expect(facilities.length).toBeGreaterThan(16_000);
    let ties = 0;
    await fc.assert(
      fc.asyncProperty(pointArb, radiusArb, fc.boolean(), async (point, radiusKm, bigPages) => {
        const all = bruteNearby(facilities, point);
        const byId = new Map(all.map((h) => [h.id, h.km]));
        for (let k = 1; k < 20 && k < all.length; k++) if (all[k]!.km === all[k - 1]!.km) ties++;

        const nearest = await searchNearby(store.orm.em.fork(), { point, first: 20 });
        expect(
          orderMismatch(
            nearest.rows.map((r) => r.facility.id),
            all.slice(0, 20),
            TIE_KM,
          ),
        ).toBeNull();
        expectDistances(nearest.rows, byId);
        expect(nearest.hasNextPage).toBe(all.length > 20);

        const first = bigPages ? MAX_NEARBY_PAGE : 37;
        const within = await allPages({ point, radiusKm, first });
        const edge = (km: number) => Math.abs(km - radiusKm) < TIE_KM;
        const want = all.filter((h) => h.km <= radiusKm + TIE_KM && !edge(h.km));
        const got = within.map((r) => r.facility.id).filter((id) => !edge(byId.get(id)!));
        expect(orderMismatch(got, want, TIE_KM)).toBeNull();
        expectDistances(within, byId);
        expect(within.every((r) => byId.get(r.facility.id)! <= radiusKm + TIE_KM)).toBe(true);
      }),
      { numRuns: 200, seed: 20261215, endOnFailure: true },
    );
    // Co-located facilities (one address, several directory rows) made exact ties: ordered by id.
    expect(ties).toBeGreaterThan(0);
  }, 600_000);
});
