import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors/index.js';
import { SLOT_SEARCH } from '../domain/slot-search.js';
import { ScheduleRecord } from '../entities/index.js';

/** What `availableSlots` filters by; at least one is given. */
export interface ScheduleFilter {
  practitionerId?: string;
  specialty?: string;
  facilityId?: string;
}

/**
 * The active schedules a slot search covers, in a stable order: at most
 * `SLOT_SEARCH.maxSchedules`, or BAD_USER_INPUT asking for a narrower filter (the search's
 * work grows with them, and the gateway's cost estimate counts on the bound). The specialty
 * is matched in SQL, never by reading every practitioner.
 */
export async function searchSchedules(
  em: EntityManager,
  f: ScheduleFilter,
): Promise<ScheduleRecord[]> {
  const rows = await em.execute<{ id: string }[]>(
    `SELECT s.id FROM schedule s JOIN practitioner p ON p.id = s.practitioner_id
      WHERE s.active
        AND (?::text IS NULL OR s.practitioner_id = ?)
        AND (?::text IS NULL OR (p.active AND p.specialties @> jsonb_build_array(?::text)))
        AND (?::text IS NULL OR s.facility_id = ?)
      ORDER BY s.practitioner_id, s.id
      LIMIT ?`,
    [
      f.practitionerId ?? null,
      f.practitionerId ?? null,
      f.specialty ?? null,
      f.specialty ?? null,
      f.facilityId ?? null,
      f.facilityId ?? null,
      SLOT_SEARCH.maxSchedules + 1,
    ],
  );
  if (rows.length > SLOT_SEARCH.maxSchedules)
    throw badInput(
      `More than ${SLOT_SEARCH.maxSchedules} schedules match: narrow the search by facility or practitioner`,
    );
  if (rows.length === 0) return [];
  return em.find(
    ScheduleRecord,
    { id: { $in: rows.map((r) => r.id) } },
    { orderBy: { practitionerId: 'asc', id: 'asc' } },
  );
}
