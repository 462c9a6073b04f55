import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { conflict } from '../../../platform/errors/index.js';
import { accessEvent, decideMany } from '../access.js';
import type { PatientContext } from '../context.js';
import { PatientRecord } from '../entities/index.js';
import { mrnIndex } from './patient-codec.js';

/** Why a registration was queued for review (no PHI). */
export const DUPLICATE_REGISTRATION = 'denied:duplicate-registration';

const idsWithMrn = async (em: EntityManager, index: string): Promise<string[]> =>
  (
    await em.find(PatientRecord, { mrnIndex: index }, { fields: ['id'], orderBy: { id: 'asc' } })
  ).map((r) => r.id);

/**
 * Before a registration: when the MRN is already registered to a record the caller may read,
 * CONFLICT naming that record (audited as a search of it), so the desk opens the existing
 * chart instead of starting a second one. A caller who may read none of the matching records
 * learns nothing here: the registration goes ahead as any other would, and is queued for
 * review ({@link queueIfDuplicate}).
 */
export async function refuseVisibleDuplicate(ctx: PatientContext, mrn: string): Promise<void> {
  const matches = await idsWithMrn(ctx.em, mrnIndex(ctx.services.indexKey, mrn));
  if (matches.length === 0) return;
  const decisions = await decideMany(ctx, matches, 'Patient', 'r');
  const visible = matches.find((id) => decisions.get(id)?.allowed);
  if (!visible) return;
  await recordAccess(ctx, [accessEvent(visible, decisions.get(visible)!, 'search', 'Patient')]);
  throw conflict('This MRN is already registered: open the existing record instead', {
    existingPatientId: visible,
  });
}

/** The advisory lock that serialises registrations and imports of one MRN (its blind index). */
const mrnLockKey = (index: string): string => `patient:mrn:${index}`;

/**
 * Takes the MRN locks of `indexes` (blind indexes) on the write's transaction, in one statement
 * and in a fixed order: a registration or import of any of these MRNs waits until this commits.
 */
export async function lockMrns(em: EntityManager, indexes: readonly string[]): Promise<void> {
  const keys = [...new Set(indexes.map(mrnLockKey))].sort();
  if (!keys.length) return;
  await em.execute(
    `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
       FROM (SELECT k FROM json_array_elements_text(?::json) AS k ORDER BY k) AS keys`,
    [JSON.stringify(keys)],
  );
}

/**
 * Inside the registration's transaction, after its rows: serialises registrations of one MRN
 * (an advisory lock on its blind index) and, when other records hold the MRN, queues the new
 * record for medical-records review (`registration_review`, ids only) and audits the attempt
 * on each matching record as a refused search, so their owners' access logs show it.
 */
export async function queueIfDuplicate(
  ctx: PatientContext,
  em: EntityManager,
  patientId: string,
  mrn: string,
): Promise<void> {
  const index = mrnIndex(ctx.services.indexKey, mrn);
  await lockMrns(em, [index]);
  const matches = (await idsWithMrn(em, index)).filter((id) => id !== patientId);
  if (matches.length === 0) return;
  await em.execute(
    `INSERT INTO registration_review (id, patient_id, matches, reason, requested_by, requested_at)
     VALUES (?, ?, ?::jsonb, 'mrn', ?, ?)`,
    [randomUUID(), patientId, JSON.stringify(matches), ctx.principal.sub, ctx.now],
  );
  const decisions = await decideMany(ctx, matches, 'Patient', 'r');
  await recordAccess(
    { ...ctx, em },
    matches.map((id) => ({
      ...accessEvent(id, decisions.get(id)!, 'search', 'Patient'),
      outcome: 'deny' as const,
      reason: DUPLICATE_REGISTRATION,
    })),
  );
}
