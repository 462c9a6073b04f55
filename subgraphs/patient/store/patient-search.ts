import { decodeIdKeyset, keysetCursor } from '../../../platform/federation/keyset.js';

/** The cursor kind of patient lists (by id). */
const PATIENTS = 'patient';
const cursorOf = (id: string): string => keysetCursor(PATIENTS, id);
import { badInput } from '../../../platform/errors/index.js';
import type { PatientContext } from '../context.js';
import { familyBirthIndex, mrnIndex } from './patient-codec.js';
import { readPatientRows } from './patient-rows.js';

/** Exact-match filters, answered through blind indexes. */
export interface PatientFilter {
  mrn?: string;
  family?: string;
  birthDate?: string;
}

/** Roles that may list every patient (minimum necessary applies per field). */
const UNBOUNDED_ROLES = new Set(['scheduler', 'billing', 'pharmacist', 'admin']);

/**
 * One page of candidate patients for the caller, in id order: a patient
 * sees only themself, a clinician their care team, front-desk, billing,
 * pharmacy and admin staff everyone. Consent is decided afterwards, per
 * record: the candidates are read with their records and decision facts in
 * the same statement (primed into `ctx.patientRows`), so deciding and showing
 * them costs no further statement.
 */
export async function searchPatients(
  ctx: PatientContext,
  filter: PatientFilter,
  first: number,
  after: string | null | undefined,
): Promise<{ ids: string[]; hasNextPage: boolean; cursorOf: (id: string) => string }> {
  const p = ctx.principal;
  const where = ['p.active = true'];
  const params: unknown[] = [];
  const cursor = decodeIdKeyset(PATIENTS, after);
  if (cursor) {
    where.push('p.id > ?::uuid');
    params.push(cursor);
  }
  if (filter.mrn !== undefined) {
    where.push('p.mrn_index = ?');
    params.push(mrnIndex(ctx.services.indexKey, filter.mrn));
  }
  if ((filter.family === undefined) !== (filter.birthDate === undefined))
    throw badInput('Search by family name needs birthDate too (and the other way round)');
  if (filter.family !== undefined && filter.birthDate !== undefined) {
    where.push('p.family_birth_index = ?');
    params.push(familyBirthIndex(ctx.services.indexKey, filter.family, filter.birthDate));
  }

  const unbounded =
    p.roles.some((r) => UNBOUNDED_ROLES.has(r)) || (p.roles.includes('partner') && !p.patientId);
  if (!unbounded) {
    const bounds: string[] = [];
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
    where.push(`(${bounds.join(' or ')})`);
  }
  const rows = await readPatientRows(ctx.em, p, ctx.now, {
    sql: `SELECT p.id FROM patient p WHERE ${where.join(' AND ')} ORDER BY p.id LIMIT ?`,
    params: [...params, first + 1],
  });
  const page = rows.slice(0, first);
  for (const r of page) ctx.patientRows.prime(r.id, r.row);
  return { ids: page.map((r) => r.id), hasNextPage: rows.length > first, cursorOf };
}
