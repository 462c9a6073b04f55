import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { CareServiceName, FacilityKind } from '../domain/facility-kinds.js';

/**
 * Test and bench support (not service code): the facility directory of
 * `<data>/facilities/*.csv` inserted straight into `routing.facility` and
 * `routing.facility_service`, for the nearby-search tests and bench until the
 * directory importer (store/directory-import.ts) is there to call instead.
 * Rows without coordinates are skipped. Time zones are rough (by state for
 * Alaska and Hawaii, else by longitude band): the tests compare the search
 * with what this inserted, not with the real zones.
 */

/** What the fixture inserted, as the brute-force scans need it. */
export interface FixtureFacility {
  id: string;
  kind: FacilityKind;
  lat: number;
  lon: number;
  emergency: boolean;
  timeZone: string;
  services: CareServiceName[];
}

/** Anything that runs parameterised SQL (`$1` placeholders): a pg Client or Pool. */
export interface SqlRunner {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

const SOURCES: { file: string; source: string; kind: FacilityKind; services: CareServiceName[] }[] =
  [
    { file: 'hospitals.csv', source: 'hospitals', kind: 'hospital', services: ['inpatient'] },
    {
      file: 'urgent_care_facilities.csv',
      source: 'urgent-care',
      kind: 'urgent-care',
      services: ['urgent-care'],
    },
    {
      file: 'primary_care_facilities_women.csv',
      source: 'primary-care-women',
      kind: 'primary-care',
      services: ['primary-care', 'womens-health'],
    },
    {
      file: 'primary_care_facilities_children.csv',
      source: 'primary-care-children',
      kind: 'primary-care',
      services: ['primary-care', 'paediatrics'],
    },
    { file: 'va_facilities.csv', source: 'va', kind: 'veterans', services: ['veterans-care'] },
  ];

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `../shared/data/facilities` beside the repository; from a git worktree kept
 * elsewhere, beside the main checkout (its `.git` file names it). The same
 * rule as the population generator's `sharedDataDir`, which another subgraph
 * owns (a candidate for platform/).
 */
function facilitiesDir(): string {
  const beside = path.resolve(ROOT, '../shared/data/facilities');
  const dotGit = path.join(ROOT, '.git');
  if (fs.existsSync(beside) || !fs.existsSync(dotGit) || !fs.statSync(dotGit).isFile())
    return beside;
  const gitdir = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1]?.trim();
  return gitdir ? path.resolve(gitdir, '../../../../shared/data/facilities') : beside;
}

function roughZone(state: string, lon: number): string {
  if (state === 'AK') return 'America/Anchorage';
  if (state === 'HI') return 'Pacific/Honolulu';
  if (lon > -87) return 'America/New_York';
  if (lon > -101) return 'America/Chicago';
  if (lon > -114) return 'America/Denver';
  return 'America/Los_Angeles';
}

/** The directory's rows with coordinates, as the fixture inserts them (no I/O but reading the CSVs). */
export function readFixtureDirectory(
  base = facilitiesDir(),
): (FixtureFacility & Record<string, unknown>)[] {
  return SOURCES.flatMap(({ file, source, kind, services }) => {
    const rows = parse<Record<string, string>>(fs.readFileSync(path.join(base, file)), {
      columns: true,
    });
    return rows.flatMap((r, i) => {
      const lat = Number.parseFloat(r.lat ?? r.LAT ?? '');
      const lon = Number.parseFloat(r.lon ?? r.LON ?? '');
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) return [];
      const state = /^[A-Z]{2}$/.test(r.state ?? '') ? r.state! : null;
      const zip = /^[0-9]{5}/.exec(r.zip?.padStart(5, '0') ?? '')?.[0] ?? null;
      const emergency = r.emergency === 'true' || r.emergency === 'yes';
      return [
        {
          id: `${source}.${i + 1}`,
          source,
          source_key: String(i + 1),
          npi: /^[0-9]{10}$/.test(r.npi ?? '') ? r.npi : null,
          kind,
          name: (r.name ?? 'unnamed').slice(0, 200) || 'unnamed',
          state,
          zip,
          lat,
          lon,
          emergency,
          region: zip ? zip.slice(0, 3) : 'unknown',
          timeZone: roughZone(state ?? '', lon),
          services: emergency ? ['emergency' as const, ...services] : services,
        },
      ];
    });
  });
}

/**
 * Inserts the fixture directory (two statements) and ANALYZEs the tables;
 * returns what it inserted. `db` connects as a role that may write `routing`.
 */
export async function loadFixtureDirectory(db: SqlRunner): Promise<FixtureFacility[]> {
  const rows = readFixtureDirectory();
  await db.query(
    `INSERT INTO routing.facility (id, source, source_key, npi, kind, name, state, zip, lat, lon,
       emergency, region, time_zone, digest)
     SELECT id, source, source_key, npi, kind, name, state, zip, lat, lon, emergency, region,
            "timeZone", 'fixture'
       FROM json_to_recordset($1::json) AS r(id text, source text, source_key text, npi text,
            kind text, name text, state text, zip text, lat float8, lon float8, emergency boolean,
            region text, "timeZone" text)`,
    [JSON.stringify(rows)],
  );
  await db.query(
    `INSERT INTO routing.facility_service (facility_id, service)
     SELECT r.id, s FROM json_to_recordset($1::json) AS r(id text, services text[]),
            unnest(r.services) AS s`,
    [JSON.stringify(rows.map((r) => ({ id: r.id, services: `{${r.services.join(',')}}` })))],
  );
  await db.query('ANALYZE routing.facility');
  await db.query('ANALYZE routing.facility_service');
  return rows.map(({ id, kind, lat, lon, emergency, timeZone, services }) => ({
    id,
    kind,
    lat,
    lon,
    emergency,
    timeZone,
    services,
  }));
}
