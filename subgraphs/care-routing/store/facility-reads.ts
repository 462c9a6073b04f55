import type { EntityManager } from '@mikro-orm/postgresql';
import type { FacilityInput } from '../directory/facility-input.js';

/** A directory row with its services and the FHIR Location ids that name it. */
export interface FacilityRow extends Omit<FacilityInput, 'sourceKey' | 'source'> {
  source: string;
  locationIds: string[];
}

/** The columns of a {@link FacilityRow}, from `facility f` (services and location ids in subqueries). */
export const FACILITY_COLUMNS = `
  f.id, f.source, f.npi, f.provider_number AS "providerNumber", f.kind, f.name, f.line, f.city,
  f.state, f.zip, f.phone, f.lat, f.lon, f.beds, f.emergency, f.region, f.time_zone AS "timeZone",
  ARRAY(SELECT s.service FROM facility_service s WHERE s.facility_id = f.id ORDER BY s.service) AS services,
  ARRAY(SELECT l.location_id FROM facility_location l WHERE l.facility_id = f.id ORDER BY l.location_id) AS "locationIds"`;

/**
 * The facilities named by `keys` (a facility id, or a FHIR Location id that
 * names one), by key, in one statement; unknown keys are absent.
 */
export async function facilitiesByKeys(
  em: EntityManager,
  keys: readonly string[],
): Promise<Map<string, FacilityRow>> {
  const out = new Map<string, FacilityRow>();
  if (keys.length === 0) return out;
  const rows = await em.execute<(FacilityRow & { key: string })[]>(
    `SELECT k.key, ${FACILITY_COLUMNS}
       FROM json_array_elements_text(?::json) AS k(key)
       LEFT JOIN facility_location l ON l.location_id = k.key
       JOIN facility f ON f.id = coalesce(l.facility_id, k.key)`,
    [JSON.stringify([...new Set(keys)])],
  );
  for (const { key, ...row } of rows) out.set(key, row);
  return out;
}
