import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { mapDatabaseError } from '../../../platform/errors/index.js';
import {
  planImport,
  type ImportEntry,
  type ImportResult,
  type PractitionerRow,
} from '../domain/practitioner-import.js';
import { republishSchedulesOf } from './schedules.js';

const COLUMNS = `id, npi, family, given, prefix, specialties, facility_ids AS "facilityIds", active`;
const RECORD = `r(id text, npi text, family text, given jsonb, prefix text, specialties jsonb,
  "facilityIds" jsonb, active boolean, created boolean)`;

/** Every stored practitioner with one of these NPIs or ids, in one statement. */
function storedRows(
  em: EntityManager,
  entries: readonly ImportEntry[],
): Promise<PractitionerRow[]> {
  const ids = entries.flatMap((e) => (e.id != null ? [e.id] : []));
  return em.execute<PractitionerRow[]>(
    `SELECT ${COLUMNS} FROM practitioner
      WHERE npi IN (SELECT jsonb_array_elements_text(?::jsonb))
         OR id IN (SELECT jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify(entries.map((e) => e.npi)), JSON.stringify(ids)],
  );
}

/** Inserts the new rows and replaces the changed ones, in one statement. */
async function writeRows(
  em: EntityManager,
  inserts: readonly PractitionerRow[],
  updates: readonly PractitionerRow[],
): Promise<void> {
  if (inserts.length + updates.length === 0) return;
  const rows = [
    ...inserts.map((r) => ({ ...r, created: true })),
    ...updates.map((r) => ({ ...r, created: false })),
  ];
  await em.execute(
    `WITH r AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS ${RECORD}),
          changed AS (
            UPDATE practitioner p
               SET family = r.family, given = r.given, prefix = r.prefix,
                   specialties = r.specialties, facility_ids = r."facilityIds", active = r.active
              FROM r
             WHERE NOT r.created AND p.id = r.id AND p.npi = r.npi)
     INSERT INTO practitioner (id, npi, family, given, prefix, specialties, facility_ids, active)
     SELECT id, npi, family, given, prefix, specialties, "facilityIds", active FROM r WHERE r.created`,
    [JSON.stringify(rows)],
  );
}

/** Updated practitioners whose specialties or active flag changed: what `schedule.changed` carries. */
function scheduleRelevant(
  stored: readonly PractitionerRow[],
  updates: readonly PractitionerRow[],
): string[] {
  const before = new Map(stored.map((r) => [r.id, r]));
  return updates
    .filter((u) => {
      const b = before.get(u.id);
      return (
        !b ||
        b.active !== u.active ||
        JSON.stringify(b.specialties) !== JSON.stringify(u.specialties)
      );
    })
    .map((u) => u.id);
}

/**
 * Imports a batch of practitioners matched by NPI, in one transaction: one
 * SELECT, then at most one write. New ones are created (under their wanted id
 * when free), changed ones replaced, unchanged ones not written. A
 * concurrent import that creates one of the same NPIs or ids first makes this
 * one CONFLICT (nothing written; retry). A practitioner whose specialties or
 * active flag changed has each of their schedules re-published
 * (`schedule.changed`) in the same transaction.
 */
export async function importPractitioners(
  em: EntityManager,
  entries: readonly ImportEntry[],
): Promise<ImportResult[]> {
  try {
    return await em.transactional(async (tem) => {
      const stored = await storedRows(tem, entries);
      const plan = planImport(entries, stored, randomUUID);
      await writeRows(tem, plan.inserts, plan.updates);
      await republishSchedulesOf(tem, scheduleRelevant(stored, plan.updates));
      return plan.results;
    });
  } catch (err) {
    throw mapDatabaseError(err) ?? err;
  }
}
