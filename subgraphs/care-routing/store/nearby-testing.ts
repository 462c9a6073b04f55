import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import type pg from 'pg';
import type { WeeklyHours } from '../../../platform/time/index.js';
import { CARE_ROUTING_DATA_DIR } from '../directory/data-dir.js';
import { importDirectoryFolder } from '../directory/import-folder.js';
import { haversineKm } from '../domain/haversine.js';
import type { CareServiceName, FacilityKind } from '../domain/facility-kinds.js';
import type { GeoPointValue } from './places.js';

/**
 * Test and bench support (not service code): the nearby search done the
 * plain way, a haversine distance to every facility in memory, filtered and
 * sorted by (distance, id), over the directory as the product imported it.
 */

/** A facility as the brute-force scan needs it, read back from `routing.facility`. */
export interface ScanFacility {
  id: string;
  kind: FacilityKind;
  lat: number;
  lon: number;
  emergency: boolean;
  timeZone: string;
  services: CareServiceName[];
}

/** Anything that runs parameterised SQL (`$1` placeholders) and returns rows: a pg Client or Pool. */
export interface SqlRunner {
  query<R extends pg.QueryResultRow>(text: string): Promise<{ rows: R[] }>;
}

/** Every facility in `routing.facility` with its services, as the scan needs it. */
export async function readScanFacilities(db: SqlRunner): Promise<ScanFacility[]> {
  const { rows } = await db.query<ScanFacility>(
    `SELECT f.id, f.kind, f.lat, f.lon, f.emergency, f.time_zone AS "timeZone",
            ARRAY(SELECT s.service::text FROM routing.facility_service s
                   WHERE s.facility_id = f.id ORDER BY s.service) AS services
       FROM routing.facility f
      ORDER BY f.id`,
  );
  return rows;
}

/**
 * The product's import of the whole directory (data/care-routing, every file,
 * every state) through `em`, then ANALYZE (as `db`, a superuser), then what
 * the scan needs read back from the tables.
 */
export async function importWholeDirectory(
  em: EntityManager,
  db: SqlRunner,
): Promise<ScanFacility[]> {
  await importDirectoryFolder(em, CARE_ROUTING_DATA_DIR);
  await db.query('ANALYZE routing.facility');
  await db.query('ANALYZE routing.facility_service');
  await db.query('ANALYZE routing.zip_centroid');
  return readScanFacilities(db);
}

/** What the brute-force scan knows of a facility's status. */
export interface ScanStatus {
  hours?: WeeklyHours | null;
  diversion?: boolean | null;
}

export interface BruteQuery {
  radiusKm?: number;
  kinds?: readonly FacilityKind[];
  services?: readonly CareServiceName[];
  openNow?: Date;
  excludeDiversion?: boolean;
  /** Facility ids whose schedules list the specialty searched for (the specialty filter's answer). */
  withSpecialty?: ReadonlySet<string>;
}

export interface BruteHit {
  id: string;
  km: number;
}

/** Open at `at` by the one rule: emergency always; else an interval of its hours holds its local time. */
export function openAt(f: ScanFacility, status: ScanStatus | undefined, at: Date): boolean {
  if (f.emergency) return true;
  if (!status?.hours) return false;
  const local = DateTime.fromJSDate(at, { zone: f.timeZone });
  const hhmm = local.toFormat('HH:mm');
  return status.hours.some((h) => h.weekday === local.weekday && h.start <= hhmm && hhmm < h.end);
}

/** Every facility matching `q`, nearest first, ties by id (code-point order). */
export function bruteNearby(
  facilities: readonly ScanFacility[],
  point: GeoPointValue,
  q: BruteQuery = {},
  statuses: ReadonlyMap<string, ScanStatus> = new Map(),
): BruteHit[] {
  const hits: BruteHit[] = [];
  for (const f of facilities) {
    if (q.kinds && q.kinds.length > 0 && !q.kinds.includes(f.kind)) continue;
    if (q.services && !q.services.every((s) => f.services.includes(s))) continue;
    if (q.withSpecialty && !q.withSpecialty.has(f.id)) continue;
    const status = statuses.get(f.id);
    if (q.excludeDiversion && status?.diversion === true) continue;
    if (q.openNow && !openAt(f, status, q.openNow)) continue;
    const km = haversineKm(point, f);
    if (q.radiusKm !== undefined && km > q.radiusKm) continue;
    hits.push({ id: f.id, km });
  }
  return hits.sort((a, b) => a.km - b.km || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Null when `got` (ids, in the search's order) is `want` (the brute-force
 * list), else what differs. Runs of `want` whose distances differ by less
 * than `tieKm` are tie classes whose members may come in any order (the
 * database orders by chord, the scan by haversine: they agree except within
 * float rounding); a class cut by the end of `got` need only be a subset.
 */
export function orderMismatch(
  got: readonly string[],
  want: readonly BruteHit[],
  tieKm = 1e-6,
): string | null {
  if (got.length !== want.length) return `${got.length} rows, expected ${want.length}`;
  let start = 0;
  for (let i = 0; i < got.length;) {
    let end = start + 1;
    while (end < want.length && want[end]!.km - want[end - 1]!.km < tieKm) end++;
    const cls = new Set(want.slice(start, end).map((h) => h.id));
    const chunk = got.slice(i, i + Math.min(cls.size, got.length - i));
    if (new Set(chunk).size !== chunk.length)
      return `a duplicate among rows ${i}..${i + chunk.length}`;
    const stray = chunk.find((id) => !cls.has(id));
    if (stray !== undefined)
      return `row ${i + chunk.indexOf(stray)}: ${stray}, expected one of ${[...cls].join(', ')}`;
    i += chunk.length;
    start = end;
  }
  return null;
}
