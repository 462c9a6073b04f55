import type { EntityManager } from '@mikro-orm/postgresql';
import { SCHEMA } from './ledger.js';

/**
 * The patient of each appointment billing has heard of (scheduling's events
 * feed `appointment_state`), or of its charges; one statement for many.
 */
export async function appointmentPatients(
  em: EntityManager,
  appointmentIds: readonly string[],
): Promise<Map<string, string>> {
  if (!appointmentIds.length) return new Map();
  const rows = await em.execute<{ appointment_id: string; patient_id: string }[]>(
    `WITH wanted AS (SELECT json_array_elements_text(?::json)::uuid AS id)
     SELECT s.appointment_id, s.patient_id FROM ${SCHEMA}.appointment_state s JOIN wanted w ON w.id = s.appointment_id
     UNION
     SELECT DISTINCT c.appointment_id, c.patient_id FROM ${SCHEMA}.charge c JOIN wanted w ON w.id = c.appointment_id`,
    [JSON.stringify(appointmentIds)],
  );
  return new Map(rows.map((r) => [r.appointment_id, r.patient_id]));
}
