import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { offersSpecialty } from './specialties.js';
import { badInput } from '../../../platform/errors/index.js';
import { decodeCursor, encodeCursor } from '../../../platform/federation/pagination.js';
import { FACILITY_KEY } from '../domain/facility-key.js';
import type { CareServiceName, FacilityKind } from '../domain/facility-kinds.js';
import {
  DEFAULT_NEARBY_PAGE,
  MAX_NEARBY_PAGE,
  MAX_RADIUS_KM,
  MAX_SPECIALTY_LENGTH,
} from '../domain/search-limits.js';
import { FACILITY_COLUMNS, type FacilityRow } from './facility-reads.js';
import { roundedPoint, type GeoPointValue } from './places.js';

/** A nearby search: from a point, optionally within a radius, filtered, one page. */
export interface NearbyQuery {
  point: GeoPointValue;
  /** Only facilities within this great-circle distance (0 < r ≤ MAX_RADIUS_KM); none = nearest-first over all. */
  radiusKm?: number | null;
  /** Only facilities of one of these kinds. */
  kinds?: readonly FacilityKind[] | null;
  /** Only facilities offering every one of these services. */
  services?: readonly CareServiceName[] | null;
  /** Only facilities where an active schedule lists this practitioner specialty (case-insensitive). */
  specialty?: string | null;
  /** Only facilities open at this instant ({@link OPEN_NOW_SQL}). */
  openNow?: Date | null;
  /** Leave out facilities that report being on diversion. */
  excludeDiversion?: boolean | null;
  /** Page size, 1..MAX_NEARBY_PAGE (default DEFAULT_NEARBY_PAGE). */
  first?: number | null;
  /** The `endCursor` of the previous page of the same search. */
  after?: string | null;
}

/** One facility found, with its great-circle distance and the cursor that continues after it. */
export interface NearbyRow {
  facility: FacilityRow;
  distanceKm: number;
  cursor: string;
}

export interface NearbyPage {
  rows: NearbyRow[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** The search's point on earthdistance's sphere (a constant the GiST scan orders by). */
const POINT = 'public.ll_to_earth(?::float8, ?::float8)';

/**
 * The one "open now" rule (`?` the instant, as timestamptz text, bound
 * three times): an emergency department never closes; any other facility is
 * open when its reported weekly hours (`facility_status.hours`, WeeklyHours
 * local to `f.time_zone`) have an interval `[start, end)` holding the local
 * weekday and time; unknown hours are not known open. HH:MM texts compare in
 * the C collation (fixed width, so text order is time order; `24:00` ends the day).
 */
export const OPEN_NOW_SQL = `(f.emergency OR EXISTS (
    SELECT 1 FROM facility_status st
      CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(st.hours) = 'array' THEN st.hours ELSE '[]'::jsonb END) AS h(iv)
     WHERE st.facility_id = f.id
       AND (h.iv->>'weekday') = extract(isodow FROM (?::timestamptz AT TIME ZONE f.time_zone))::text
       AND (h.iv->>'start') COLLATE "C" <= to_char(?::timestamptz AT TIME ZONE f.time_zone, 'HH24:MI') COLLATE "C"
       AND to_char(?::timestamptz AT TIME ZONE f.time_zone, 'HH24:MI') COLLATE "C" < (h.iv->>'end') COLLATE "C"))`;

/** Facilities reporting diversion are left out (no report, or diversion false, stays in). */
const NOT_ON_DIVERSION_SQL = `NOT EXISTS (
    SELECT 1 FROM facility_status st WHERE st.facility_id = f.id AND st.diversion)`;

const CURSOR_KIND = 'nearby';

/** What a cursor is bound to: the search without its paging (and without openNow's instant). */
function searchTag(q: NearbyQuery): string {
  const key = JSON.stringify([
    q.point.lat,
    q.point.lon,
    q.radiusKm ?? null,
    [...(q.kinds ?? [])].sort(),
    [...(q.services ?? [])].sort(),
    q.specialty?.toLowerCase() ?? null,
    Boolean(q.openNow),
    Boolean(q.excludeDiversion),
  ]);
  return createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

/** The (chord, id) a cursor of this search follows; null without one. */
function decodeNearbyCursor(
  after: string | null | undefined,
  tag: string,
): { chord: number; id: string } | null {
  const cursor = decodeCursor(after, 4);
  if (!cursor) return null;
  const [kind, t, chord, id] = cursor;
  if (
    kind === CURSOR_KIND &&
    typeof chord === 'number' &&
    Number.isFinite(chord) &&
    chord >= 0 &&
    typeof id === 'string' &&
    FACILITY_KEY.test(id)
  ) {
    if (t !== tag)
      throw badInput('after is a cursor of another search: repeat the same arguments', 'after');
    return { chord, id };
  }
  throw badInput('after is not a valid cursor', 'after');
}

/** Checks the limits a search's arguments must keep (BAD_USER_INPUT naming the argument). */
function checkQuery(q: NearbyQuery): number {
  const { lat, lon } = q.point;
  if (
    !Number.isFinite(lat) ||
    lat < -90 ||
    lat > 90 ||
    !Number.isFinite(lon) ||
    lon < -180 ||
    lon > 180
  )
    throw badInput('near is not a point on the earth', 'near');
  const r = q.radiusKm;
  if (r !== null && r !== undefined && (!Number.isFinite(r) || r <= 0 || r > MAX_RADIUS_KM))
    throw badInput(`radiusKm must be more than 0 and at most ${MAX_RADIUS_KM}`, 'radiusKm');
  const s = q.specialty;
  if (s !== null && s !== undefined && (s.trim().length === 0 || s.length > MAX_SPECIALTY_LENGTH))
    throw badInput(`specialty must be 1 to ${MAX_SPECIALTY_LENGTH} characters`, 'specialty');
  const first = q.first ?? DEFAULT_NEARBY_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_NEARBY_PAGE)
    throw badInput(`first must be between 1 and ${MAX_NEARBY_PAGE}`, 'first');
  return first;
}

/**
 * One page of the facilities nearest `q.point`, nearest first (ties by id, in
 * code-point order),
 * each with its great-circle distance on earthdistance's sphere.
 *
 * One statement, ordered by the cube KNN operator on the GiST index
 * `facility_earth_idx`: `<->` is the straight-line (chord) distance between
 * the points on the sphere, which grows with the great-circle distance, so
 * the index's nearest-first order is the exact distance order and only the
 * rows a page needs are read. A radius adds the index condition
 * `earth_box(point, r) @> earth` (a box around the sphere of that radius)
 * and the exact `earth_distance(...) <= r`. Paging is keyset on (chord, id):
 * the cursor holds the chord as a float8 (exact through JSON), bound to the
 * search it came from. A later page rescans the rows before it (a KNN scan
 * cannot start mid-way); pages are at most MAX_NEARBY_PAGE.
 */
export async function searchNearby(em: EntityManager, q: NearbyQuery): Promise<NearbyPage> {
  const st = nearbyStatement(q);
  const rows = await em.execute<(FacilityRow & { chord: number; meters: number })[]>(
    st.sql,
    st.params,
  );
  const page = rows.slice(0, st.first).map(({ chord, meters, ...facility }) => ({
    facility,
    distanceKm: meters / 1000,
    cursor: encodeCursor([CURSOR_KIND, st.tag, chord, facility.id]),
  }));
  return {
    rows: page,
    hasNextPage: rows.length > st.first,
    endCursor: page.at(-1)?.cursor ?? null,
  };
}

/**
 * The statement {@link searchNearby} sends for `q` (checked: BAD_USER_INPUT
 * for arguments out of range or a foreign cursor), with its page size and
 * the tag its cursors carry; for EXPLAIN in tests.
 */
export function nearbyStatement(q: NearbyQuery): {
  sql: string;
  params: unknown[];
  first: number;
  tag: string;
} {
  const first = checkQuery(q);
  const tag = searchTag(q);
  const cursor = decodeNearbyCursor(q.after, tag);
  const { lat, lon } = roundedPoint(q.point);
  const where: string[] = [];
  const params: unknown[] = [lat, lon, lat, lon];
  if (q.radiusKm !== null && q.radiusKm !== undefined) {
    const m = q.radiusKm * 1000;
    where.push(`public.earth_box(${POINT}, ?::float8) OPERATOR(public.@>) f.earth`);
    where.push(`public.earth_distance(f.earth, ${POINT}) <= ?::float8`);
    params.push(lat, lon, m, lat, lon, m);
  }
  if (q.kinds?.length) {
    where.push('f.kind IN (SELECT json_array_elements_text(?::json))');
    params.push(JSON.stringify(q.kinds));
  }
  if (q.services?.length) {
    where.push(
      `ARRAY(SELECT json_array_elements_text(?::json)) <@
         ARRAY(SELECT s.service FROM facility_service s WHERE s.facility_id = f.id)`,
    );
    params.push(JSON.stringify(q.services));
  }
  if (q.specialty !== null && q.specialty !== undefined) {
    // A practitioner with an active schedule there lists it (the availability projection).
    const offers = offersSpecialty('f.id', q.specialty.trim());
    where.push(offers.sql);
    params.push(...offers.params);
  }
  if (q.openNow) {
    where.push(OPEN_NOW_SQL);
    const at = q.openNow.toISOString();
    params.push(at, at, at);
  }
  if (q.excludeDiversion) where.push(NOT_ON_DIVERSION_SQL);
  if (cursor) {
    where.push(
      `(f.earth OPERATOR(public.<->) ${POINT}, f.id COLLATE "C") > (?::float8, ?::text COLLATE "C")`,
    );
    params.push(lat, lon, cursor.chord, cursor.id);
  }
  params.push(lat, lon, first + 1);
  const sql = `SELECT ${FACILITY_COLUMNS},
            f.earth OPERATOR(public.<->) ${POINT} AS chord,
            public.earth_distance(f.earth, ${POINT}) AS meters
       FROM facility f
      ${where.length ? `WHERE ${where.join('\n        AND ')}` : ''}
      ORDER BY f.earth OPERATOR(public.<->) ${POINT}, f.id COLLATE "C"
      LIMIT ?`;
  return { sql, params, first, tag };
}
