import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config/index.js';
import { readNdjson } from '../../platform/data/ndjson.js';
import { createLogger } from '../../platform/log/index.js';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../platform/testing/subgraph-test-store.js';
import { CARE_ROUTING_DATA_DIR } from '../../subgraphs/care-routing/directory/data-dir.js';
import type { FhirLocationLike } from '../../subgraphs/care-routing/directory/link-locations.js';
import { vaKey } from '../../subgraphs/care-routing/directory/map-row.js';
import { readDirectory } from '../../subgraphs/care-routing/directory/read-directory.js';
import { facilityId } from '../../subgraphs/care-routing/directory/facility-id.js';
import { entities } from '../../subgraphs/care-routing/entities/index.js';
import { migrations } from '../../subgraphs/care-routing/migrations/index.js';
import { seedCareRouting } from '../../subgraphs/care-routing/seed.js';
import { SCHEMA } from '../../subgraphs/care-routing/server.js';
import { importDirectory } from '../../subgraphs/care-routing/store/directory-import.js';
import { linkLocations } from '../../subgraphs/care-routing/store/location-links.js';

const SYNTHEA = path.resolve(import.meta.dirname, '..', '..', 'data', 'synthea');
const LOCATIONS = readNdjson<FhirLocationLike>(path.join(SYNTHEA, 'Location.000.ndjson'));

/** Rows per file, imported and reported (see data/care-routing/README.md). */
const EXPECTED = [
  { file: 'hospitals.csv', rows: 10678, facilities: 9659, far: 227, duplicate: 792 },
  { file: 'urgent_care_facilities.csv', rows: 1943, facilities: 1874, far: 43, duplicate: 26 },
  {
    file: 'primary_care_facilities_women.csv',
    rows: 3198,
    facilities: 3102,
    far: 45,
    duplicate: 51,
  },
  {
    file: 'primary_care_facilities_children.csv',
    rows: 740,
    facilities: 715,
    far: 12,
    duplicate: 13,
  },
  { file: 'va_facilities.csv', rows: 1481, facilities: 1322, far: 158, duplicate: 1 },
];
const TOTAL = 16672;

describe('the facility directory', () => {
  let store: SubgraphTestStore;
  const reads = readDirectory(CARE_ROUTING_DATA_DIR);
  const facilities = reads.flatMap((r) => r.facilities);
  const kansas = facilities.filter((f) => f.state === 'KS');
  const em = () => store.orm.em.fork();
  const query = <T>(sql: string, params: unknown[] = []) => em().execute<T[]>(sql, params);
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await query<{ n: string }>(sql, params))[0]!.n);
  const seed = (scope: 'demo' | 'all') =>
    seedCareRouting(
      { ...store, services: {} },
      {
        dataDir: SYNTHEA,
        config: loadConfig({ NODE_ENV: 'test', SEED_FACILITIES: scope }),
        log: createLogger({ name: 'care-routing-seed-test', level: 'silent' }),
        now: new Date(),
      },
    ) as Promise<{
      directory: { created: number; updated: number; unchanged: number };
      centroids: { created: number; updated: number; unchanged: number };
      locations: Record<string, number>;
      unplacedLocations: number;
    }>;

  beforeAll(async () => {
    store = await openSubgraphTestStore('routing-directory', {
      schema: SCHEMA,
      entities,
      migrations,
    });
  });
  afterAll(() => store?.close());

  it('reads every row of every file: imported once per key, or reported with its reason', () => {
    expect(
      reads.map((r) => ({
        file: r.file,
        rows: r.rows,
        facilities: r.facilities.length,
        far: r.skipped.filter((s) => s.reason === 'coordinates-far-from-zip').length,
        duplicate: r.skipped.filter((s) => s.reason === 'duplicate-key').length,
      })),
    ).toEqual(EXPECTED);
    for (const r of reads) {
      expect(r.facilities.length + r.skipped.length).toBe(r.rows);
      expect(r.unknownTimeZone).toEqual([]);
    }
    expect(facilities).toHaveLength(TOTAL);
    expect(new Set(facilities.map((f) => f.id)).size).toBe(TOTAL);
  });

  it('seeds the demo scope (Kansas), the ZIP centroids and the demo Locations, and a second seed writes nothing', async () => {
    const first = await seed('demo');
    expect(first.centroids).toEqual({ created: 26891, updated: 0, unchanged: 0 });
    expect(first.directory).toEqual({ created: kansas.length, updated: 0, unchanged: 0 });
    expect(first.locations).toEqual({
      'name-and-zip': 22,
      'name-and-position': 0,
      position: 2,
      own: 19,
      linksWritten: 43,
    });
    expect(first.unplacedLocations).toBe(1);
    const again = await seed('demo');
    expect(again.centroids).toEqual({ created: 0, updated: 0, unchanged: 26891 });
    expect(again.directory).toEqual({ created: 0, updated: 0, unchanged: kansas.length });
    expect(again.locations.linksWritten).toBe(0);
    expect(await count('SELECT count(*) AS n FROM zip_centroid')).toBe(26891);
    expect(await count(`SELECT count(*) AS n FROM facility WHERE source <> 'fhir-location'`)).toBe(
      kansas.length,
    );
  });

  it('imports the whole directory in bulk; a second import writes nothing', async () => {
    const first = await importDirectory(em(), facilities);
    expect(first).toEqual({
      created: TOTAL - kansas.length,
      updated: 0,
      unchanged: kansas.length,
    });
    const kinds = await query<{ kind: string; n: string }>(
      `SELECT kind, count(*) AS n FROM facility WHERE source <> 'fhir-location' GROUP BY kind ORDER BY kind`,
    );
    expect(kinds.map((k) => [k.kind, Number(k.n)])).toEqual([
      ['hospital', 9659],
      ['primary-care', 3102 + 715],
      ['urgent-care', 1874],
      ['veterans', 1322],
    ]);
    const before = await query<{ n: string; last: Date; services: string }>(
      `SELECT count(*) AS n, max(updated_at) AS last,
              (SELECT count(*) FROM facility_service) AS services FROM facility`,
    );
    const again = await importDirectory(em(), facilities);
    expect(again).toEqual({ created: 0, updated: 0, unchanged: TOTAL });
    const after = await query<{ n: string; last: Date; services: string }>(
      `SELECT count(*) AS n, max(updated_at) AS last,
              (SELECT count(*) FROM facility_service) AS services FROM facility`,
    );
    expect(after).toEqual(before);
  });

  it('updates exactly the row that changed, with its services', async () => {
    const target = facilities.find((f) => f.npi === '1578500484')!;
    const [{ last }] = (await query<{ last: Date }>(
      'SELECT max(updated_at) AS last FROM facility',
    )) as [{ last: Date }];
    const changed = facilities.map((f) =>
      f === target
        ? {
            ...f,
            phone: '9135550100',
            beds: 350,
            emergency: false,
            services: ['inpatient' as const],
          }
        : f,
    );
    expect(await importDirectory(em(), changed)).toEqual({
      created: 0,
      updated: 1,
      unchanged: TOTAL - 1,
    });
    const touched = await query<{ id: string; phone: string; beds: number; emergency: boolean }>(
      'SELECT id, phone, beds, emergency FROM facility WHERE updated_at > ?',
      [last],
    );
    expect(touched).toEqual([{ id: target.id, phone: '9135550100', beds: 350, emergency: false }]);
    const services = async () =>
      (
        await query<{ service: string }>(
          'SELECT service FROM facility_service WHERE facility_id = ? ORDER BY service',
          [target.id],
        )
      ).map((s) => s.service);
    expect(await services()).toEqual(['inpatient']);
    expect(await importDirectory(em(), facilities)).toMatchObject({ updated: 1 });
    expect(await services()).toEqual(['emergency', 'inpatient']);
  });

  it('keeps the leading zeros of VA ZIPs, and each facility’s region and zone', async () => {
    const bedford = facilityId(
      'va',
      vaKey('518', 'Edith Nourse Rogers Memorial Veterans Hospital (Bedford VA)'),
    );
    const [row] = await query<Record<string, unknown>>(
      'SELECT kind, zip, region, time_zone, phone FROM facility WHERE id = ?',
      [bedford],
    );
    expect(row).toEqual({
      kind: 'veterans',
      zip: '01730',
      region: '017',
      time_zone: 'America/New_York',
      phone: '7816872000',
    });
    expect(
      await count(`SELECT count(*) AS n FROM facility WHERE source = 'va' AND zip LIKE '0%'`),
    ).toBeGreaterThan(50);
  });

  it('links the demo Locations to the directory, idempotently', async () => {
    const links = await linkLocations(em(), LOCATIONS);
    expect(links.matchedBy).toEqual({
      'name-and-zip': 22,
      'name-and-position': 0,
      position: 2,
      own: 19,
    });
    expect(links.linksWritten).toBe(0);
    expect(links.ownFacilities).toEqual({ created: 0, updated: 0, unchanged: 19 });
    expect(links.skipped).toEqual([
      {
        file: 'Location',
        line: 30,
        reason: 'no-position',
        key: 'bb1ad573-19b8-9cd8-68fb-0e6f684df992',
      },
    ]);
    const linked = async (locationId: string) =>
      (
        await query<Record<string, unknown>>(
          `SELECT l.matched_by, f.source, f.npi, f.name, f.kind, f.emergency
             FROM facility_location l JOIN facility f ON f.id = l.facility_id
            WHERE l.location_id = ?`,
          [locationId],
        )
      )[0];
    expect(await linked('7cf6ad8f-30a6-33bb-8fe0-6f688207a213')).toEqual({
      matched_by: 'name-and-zip',
      source: 'hospitals',
      npi: '1578500484',
      name: 'OVERLAND PARK REG MED CTR',
      kind: 'hospital',
      emergency: true,
    });
    // Three hospital rows share this name and address: the one with the emergency department.
    expect(await linked('578a239f-0243-3287-87c3-04fdaa6e639c')).toMatchObject({
      matched_by: 'name-and-zip',
      npi: '1922039320',
      emergency: true,
    });
    expect(await linked('14832308-0e8e-336d-89bd-b6426a2ad97e')).toMatchObject({
      matched_by: 'name-and-zip',
      source: 'urgent-care',
      kind: 'urgent-care',
    });
    expect(await linked('16a26e7c-d6a6-3e2f-8af9-2b57503ad048')).toMatchObject({
      matched_by: 'position',
      name: 'NORTON COUNTY HOSPITAL',
    });
    expect(await linked('ad844b6f-9dc6-370e-bd6e-6986244b1d7b')).toEqual({
      matched_by: 'own',
      source: 'fhir-location',
      npi: null,
      name: 'GOOD SHEPHERD HOSPICE',
      kind: 'primary-care',
      emergency: false,
    });
    expect(await count('SELECT count(*) AS n FROM facility_location')).toBe(43);
  });
});
