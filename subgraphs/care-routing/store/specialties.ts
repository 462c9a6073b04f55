import type { EntityManager } from '@mikro-orm/postgresql';

const COLUMN = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/**
 * A SQL condition, true when the facility whose id is `facilityColumn` (e.g.
 * `f.id`) has an active schedule (at any of its Location ids) of a
 * practitioner with the specialty, matched exactly but for case; `params`
 * fills its one `?`. For a search's specialty filter (the availability
 * projection, store/availability-projection.ts).
 */
export function offersSpecialty(
  facilityColumn: string,
  specialty: string,
): { sql: string; params: [string] } {
  if (!COLUMN.test(facilityColumn)) throw new TypeError('facilityColumn must be a column name');
  return {
    sql: `EXISTS (SELECT 1 FROM schedule_projection sp
                    JOIN facility_location l ON l.location_id = sp.location_id
                   WHERE l.facility_id = ${facilityColumn} AND sp.active
                     AND sp.specialty_keys @> ARRAY[lower(?::text)])`,
    params: [specialty],
  };
}

/**
 * The specialties of the practitioners with an active schedule at each
 * facility (any of its Location ids), distinct and sorted, by facility id, in
 * one statement; a facility with none has an empty list.
 */
export async function specialtiesAt(
  em: EntityManager,
  facilityIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(facilityIds.map((id) => [id, []]));
  if (facilityIds.length === 0) return out;
  const rows = await em.execute<{ facilityId: string; specialties: string[] }[]>(
    `SELECT l.facility_id AS "facilityId", array_agg(DISTINCT s.name ORDER BY s.name) AS specialties
       FROM facility_location l
       JOIN schedule_projection sp ON sp.location_id = l.location_id AND sp.active
       CROSS JOIN LATERAL jsonb_array_elements_text(sp.specialties) AS s(name)
      WHERE l.facility_id IN (SELECT jsonb_array_elements_text(?::jsonb))
      GROUP BY l.facility_id`,
    [JSON.stringify([...new Set(facilityIds)])],
  );
  for (const r of rows) out.set(r.facilityId, r.specialties);
  return out;
}
