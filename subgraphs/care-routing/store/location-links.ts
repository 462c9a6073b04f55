import type { EntityManager } from '@mikro-orm/postgresql';
import type { FacilityInput, SkippedRow } from '../directory/facility-input.js';
import {
  chooseFacility,
  locationPlace,
  MATCHED_BY,
  NAME_MATCH_METRES,
  ownFacility,
  type FhirLocationLike,
  type LinkCandidate,
  type LocationPlace,
  type MatchedBy,
} from '../directory/link-locations.js';
import { importDirectory, type ImportCounts } from './directory-import.js';

/** What linking a batch of Locations did. */
export interface LocationLinks {
  /** Locations linked, per how they were matched. */
  matchedBy: Record<MatchedBy, number>;
  /** Links written (new or changed); the rest were already as they are. */
  linksWritten: number;
  /** The Locations' own facilities (matched_by 'own'). */
  ownFacilities: ImportCounts;
  /** Locations that could not be placed (no position, no name, a bad id). */
  skipped: SkippedRow[];
}

/**
 * Every directory facility (not a Location's own) in each place's ZIP or
 * within {@link NAME_MATCH_METRES} of it, with its distance, in one statement
 * (the radius by the GiST index on `earth`).
 */
async function candidates(
  em: EntityManager,
  places: readonly LocationPlace[],
): Promise<Map<string, LinkCandidate[]>> {
  const rows = await em.execute<(LinkCandidate & { locationId: string })[]>(
    `SELECT l.location_id AS "locationId", f.id, f.name, f.zip, f.emergency, f.beds,
            public.earth_distance(f.earth, public.ll_to_earth(l.lat, l.lon)) AS metres
       FROM json_to_recordset(?::json)
         AS l(location_id text, lat double precision, lon double precision, zip text)
       CROSS JOIN LATERAL (
         SELECT z.id FROM facility z WHERE z.zip = l.zip
         UNION
         SELECT b.id FROM facility b
          WHERE public.earth_box(public.ll_to_earth(l.lat, l.lon), ?) OPERATOR(public.@>) b.earth
       ) near
       JOIN facility f ON f.id = near.id
      WHERE f.source <> 'fhir-location'`,
    [
      JSON.stringify(
        places.map((p) => ({ location_id: p.id, lat: p.lat, lon: p.lon, zip: p.zip })),
      ),
      NAME_MATCH_METRES,
    ],
  );
  const out = new Map<string, LinkCandidate[]>();
  for (const { locationId, ...c } of rows)
    (out.get(locationId) ?? out.set(locationId, []).get(locationId)!).push(c);
  return out;
}

/** Upserts the links; returns how many were new or changed. */
async function writeLinks(
  em: EntityManager,
  links: readonly { locationId: string; facilityId: string; matchedBy: MatchedBy }[],
): Promise<number> {
  if (links.length === 0) return 0;
  const written = await em.execute<unknown[]>(
    `INSERT INTO facility_location (location_id, facility_id, matched_by)
     SELECT location_id, facility_id, matched_by FROM json_to_recordset(?::json)
       AS r(location_id text, facility_id text, matched_by text)
     ON CONFLICT (location_id) DO UPDATE
       SET facility_id = EXCLUDED.facility_id, matched_by = EXCLUDED.matched_by
       WHERE (facility_location.facility_id, facility_location.matched_by)
         IS DISTINCT FROM (EXCLUDED.facility_id, EXCLUDED.matched_by)
     RETURNING 1`,
    [
      JSON.stringify(
        links.map((l) => ({
          location_id: l.locationId,
          facility_id: l.facilityId,
          matched_by: l.matchedBy,
        })),
      ),
    ],
  );
  return written.length;
}

/**
 * Ties FHIR Locations to directory facilities (directory/link-locations.ts
 * says how), giving each unmatched one a facility of its own, idempotently:
 * linking the same Locations against the same directory writes nothing.
 * Usable for any batch (the demo seed, a FHIR import). A Location that was
 * 'own' and now matches the directory is relinked; its own facility stays.
 */
export async function linkLocations(
  em: EntityManager,
  locations: readonly FhirLocationLike[],
): Promise<LocationLinks> {
  const skipped: SkippedRow[] = [];
  const byId = new Map<string, LocationPlace>();
  const indexOf = new Map<string, number>();
  locations.forEach((loc, i) => {
    const read = locationPlace(loc, i);
    if (!read.ok) return void skipped.push(read.skipped);
    byId.set(read.place.id, read.place);
    indexOf.set(read.place.id, i);
  });
  const places = [...byId.values()];
  const matchedBy = Object.fromEntries(MATCHED_BY.map((m) => [m, 0])) as Record<MatchedBy, number>;
  if (places.length === 0)
    return {
      matchedBy,
      linksWritten: 0,
      ownFacilities: { created: 0, updated: 0, unchanged: 0 },
      skipped,
    };
  return em.transactional(async (tx) => {
    const near = await candidates(tx, places);
    const links: { locationId: string; facilityId: string; matchedBy: MatchedBy }[] = [];
    const own: FacilityInput[] = [];
    for (const place of places) {
      const match = chooseFacility(place, near.get(place.id) ?? []);
      const facility = match ? null : ownFacility(place);
      if (!match && !facility) {
        skipped.push({
          file: 'Location',
          line: indexOf.get(place.id)!,
          reason: 'missing-name',
          key: place.id,
        });
        continue;
      }
      const link = match ?? { facilityId: facility!.id, matchedBy: 'own' as const };
      if (facility) own.push(facility);
      matchedBy[link.matchedBy]++;
      links.push({ locationId: place.id, ...link });
    }
    const ownFacilities = await importDirectory(tx, own);
    return { matchedBy, linksWritten: await writeLinks(tx, links), ownFacilities, skipped };
  });
}
