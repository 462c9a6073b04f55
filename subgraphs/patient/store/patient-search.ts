import { decodeIdKeyset, keysetCursor } from '../../../platform/federation/keyset.js';

/** The cursor kind of patient lists (by id). */
const PATIENTS = 'patient';
const cursorOf = (id: string): string => keysetCursor(PATIENTS, id);
import { badInput } from '../../../platform/errors/index.js';
import type { PatientContext } from '../context.js';
import { PatientRecord } from '../entities/index.js';
import { familyBirthIndex, mrnIndex } from './patient-codec.js';

/** Exact-match filters, answered through blind indexes. */
export interface PatientFilter {
  mrn?: string;
  family?: string;
  birthDate?: string;
}

/** Roles that may list every patient (minimum necessary applies per field). */
const UNBOUNDED_ROLES = new Set(['scheduler', 'billing', 'pharmacist', 'admin']);

/**
 * One page of candidate patient ids for the caller, in id order: a patient
 * sees only themself, a clinician their care team, front-desk, billing,
 * pharmacy and admin staff everyone. Consent is decided afterwards, per record.
 */
export async function searchPatientIds(
  ctx: PatientContext,
  filter: PatientFilter,
  first: number,
  after: string | null | undefined,
): Promise<{ ids: string[]; hasNextPage: boolean; cursorOf: (id: string) => string }> {
  const p = ctx.principal;
  const qb = ctx.em.createQueryBuilder(PatientRecord, 'p').select('p.id').where({ active: true });
  const cursor = decodeIdKeyset(PATIENTS, after);
  if (cursor) qb.andWhere({ id: { $gt: cursor } });
  if (filter.mrn !== undefined)
    qb.andWhere({ mrnIndex: mrnIndex(ctx.services.indexKey, filter.mrn) });
  if ((filter.family === undefined) !== (filter.birthDate === undefined))
    throw badInput('Search by family name needs birthDate too (and the other way round)');
  if (filter.family !== undefined && filter.birthDate !== undefined)
    qb.andWhere({
      familyBirthIndex: familyBirthIndex(ctx.services.indexKey, filter.family, filter.birthDate),
    });

  const unbounded =
    p.roles.some((r) => UNBOUNDED_ROLES.has(r)) || (p.roles.includes('partner') && !p.patientId);
  if (!unbounded) {
    const bounds: string[] = [];
    const params: string[] = [];
    if (p.patientId) {
      bounds.push('p.id::text = ?');
      params.push(p.patientId);
    }
    if (p.roles.includes('clinician') && p.practitionerId) {
      bounds.push(
        'exists (select 1 from care_team_member c where c.patient_id = p.id and c.practitioner_id = ? and c.until is null)',
      );
      params.push(p.practitionerId);
    }
    if (bounds.length === 0) return { ids: [], hasNextPage: false, cursorOf };
    qb.andWhere(`(${bounds.join(' or ')})`, params);
  }
  const rows = await qb
    .orderBy({ id: 'asc' })
    .limit(first + 1)
    .execute<{ id: string }[]>();
  return {
    ids: rows.slice(0, first).map((r) => r.id),
    hasNextPage: rows.length > first,
    cursorOf,
  };
}
