import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldCipher, FieldContext } from '../../../platform/crypto/index.js';
import { badInput, conflict, notFound } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { SCHEMA } from './ledger.js';

export const RELATIONSHIPS = ['self', 'spouse', 'child', 'other'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];
export type CoverageStatus = 'active' | 'cancelled';

/** A patient's coverage by a plan; the member id stays encrypted until `memberIdOf`. */
export interface CoverageRow {
  id: string;
  patientId: string;
  payerId: string;
  planId: string;
  memberIdCipher: string;
  relationship: Relationship;
  /** YYYY-MM-DD, inclusive. */
  periodStart: string;
  /** YYYY-MM-DD, inclusive; null while open-ended. */
  periodEnd: string | null;
  /** Order of benefits: 1 primary, 2 secondary, … up to 9. */
  priority: number;
  status: CoverageStatus;
  version: number;
  createdAt: Date;
}

export interface NewCoverage {
  patientId: string;
  planId: string;
  memberId: string;
  relationship: Relationship;
  periodStart: string;
  periodEnd?: string | null;
  priority: number;
  by: string;
}

interface CoverageDbRow {
  id: string;
  patient_id: string;
  payer_id: string;
  plan_id: string;
  member_id: string;
  relationship: Relationship;
  period_start: string;
  period_end: string | null;
  priority: number;
  status: CoverageStatus;
  version: number;
  /** ISO 8601 UTC text: the driver would return PostgreSQL's own timestamp format. */
  created_at: string;
}

const COLUMNS = `id, patient_id, payer_id, plan_id, member_id, relationship,
  to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end,
  priority, status, version,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at`;

const MEMBER_ID = /^[A-Za-z0-9-]{1,40}$/;
const PLAN_ID = /^[0-9]{1,12}$/;

function toCoverage(r: CoverageDbRow): CoverageRow {
  return {
    id: r.id,
    patientId: r.patient_id,
    payerId: r.payer_id,
    planId: r.plan_id,
    memberIdCipher: r.member_id,
    relationship: r.relationship,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    priority: r.priority,
    status: r.status,
    version: r.version,
    createdAt: new Date(r.created_at),
  };
}

const memberIdContext = (coverageId: string): FieldContext => ({
  table: `${SCHEMA}.coverage`,
  column: 'member_id',
  rowId: coverageId,
});

/** A calendar date as YYYY-MM-DD (real date, not 2026-02-30), or BAD_USER_INPUT. */
function requireDate(value: string, field: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!d || d.toISOString().slice(0, 10) !== value)
    throw badInput(`${field} must be a date as YYYY-MM-DD`, field);
  return value;
}

const isExclusionViolation = (err: unknown): boolean =>
  (err as { code?: string } | null)?.code === '23P01';

/**
 * Records a coverage for a patient under `planId` (the payer is the plan's).
 * The member id is validated without being echoed and stored encrypted, bound
 * to this row. An active coverage of the same priority overlapping the period
 * is CONFLICT (the exclusion constraint decides, also between concurrent
 * requests). Runs in the caller's transaction as a savepoint.
 */
export async function recordCoverage(
  em: EntityManager,
  cipher: FieldCipher,
  c: NewCoverage,
): Promise<CoverageRow> {
  const patientId = requireUuid(c.patientId, 'patientId');
  if (typeof c.planId !== 'string' || !PLAN_ID.test(c.planId))
    throw badInput('Unknown plan', 'planId');
  if (typeof c.memberId !== 'string' || !MEMBER_ID.test(c.memberId))
    throw badInput('memberId must be 1 to 40 letters, digits or hyphens', 'memberId');
  if (!RELATIONSHIPS.includes(c.relationship))
    throw badInput('relationship is self, spouse, child or other', 'relationship');
  const periodStart = requireDate(c.periodStart, 'periodStart');
  const periodEnd = c.periodEnd == null ? null : requireDate(c.periodEnd, 'periodEnd');
  if (periodEnd !== null && periodEnd < periodStart)
    throw badInput('periodEnd cannot be before periodStart', 'periodEnd');
  if (!Number.isInteger(c.priority) || c.priority < 1 || c.priority > 9)
    throw badInput('priority is a whole number from 1 (primary) to 9', 'priority');
  if (!c.by) throw new Error('recordCoverage needs the acting principal');
  try {
    return await em.transactional(async (tem) => {
      const [plan] = await tem.execute<{ payer_id: string }[]>(
        `SELECT payer_id FROM ${SCHEMA}.plan WHERE id = ?`,
        [c.planId],
      );
      if (!plan) throw badInput('Unknown plan', 'planId');
      const id = randomUUID();
      const memberId = await cipher.encrypt(tem, c.memberId, memberIdContext(id));
      const [row] = await tem.execute<CoverageDbRow[]>(
        `INSERT INTO ${SCHEMA}.coverage (id, patient_id, payer_id, plan_id, member_id, relationship,
           period_start, period_end, priority, status, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?::date, ?::date, ?, 'active', ?) RETURNING ${COLUMNS}`,
        [
          id,
          patientId,
          plan.payer_id,
          c.planId,
          memberId,
          c.relationship,
          periodStart,
          periodEnd,
          c.priority,
          c.by,
        ],
      );
      if (!row) throw new Error('Coverage insert returned no row');
      return toCoverage(row);
    });
  } catch (err) {
    if (isExclusionViolation(err))
      throw conflict(
        'The patient already has an active coverage of this priority overlapping that period; cancel it or choose another priority',
      );
    throw err;
  }
}

/**
 * Cancels an active coverage if it is still at `expectedVersion`; otherwise
 * CONFLICT with `currentVersion` (also when it is already cancelled).
 */
export async function cancelCoverage(
  em: EntityManager,
  id: string,
  expectedVersion: number,
  by: string,
): Promise<CoverageRow> {
  requireUuid(id, 'id');
  if (!Number.isInteger(expectedVersion) || expectedVersion < 1)
    throw badInput('expectedVersion is a positive whole number', 'expectedVersion');
  if (!by) throw new Error('cancelCoverage needs the acting principal');
  const [row] = await em.execute<CoverageDbRow[]>(
    `UPDATE ${SCHEMA}.coverage SET status = 'cancelled', version = version + 1, updated_at = now()
     WHERE id = ? AND version = ? AND status = 'active' RETURNING ${COLUMNS}`,
    [id, expectedVersion],
  );
  if (row) return toCoverage(row);
  const [current] = await coveragesById(em, [id]);
  if (!current) throw notFound('Coverage');
  if (current.version !== expectedVersion)
    throw conflict('The coverage was changed meanwhile; reload it and retry', {
      currentVersion: current.version,
    });
  throw conflict('The coverage is already cancelled', { currentVersion: current.version });
}

async function selectCoverages(
  em: EntityManager,
  column: 'id' | 'patient_id',
  ids: readonly string[],
): Promise<CoverageRow[]> {
  if (!ids.length) return [];
  const rows = await em.execute<CoverageDbRow[]>(
    `SELECT ${COLUMNS} FROM ${SCHEMA}.coverage
     WHERE ${column} IN (SELECT json_array_elements_text(?::json)::uuid)
     ORDER BY patient_id, priority, period_start DESC, id`,
    [JSON.stringify(ids.map((i) => requireUuid(i, column === 'id' ? 'id' : 'patientId')))],
  );
  return rows.map(toCoverage);
}

/** Every coverage (active and cancelled) of many patients in one statement, by priority. */
export const coveragesByPatient = (em: EntityManager, patientIds: readonly string[]) =>
  selectCoverages(em, 'patient_id', patientIds);

/** Coverages by id, in one statement (unknown ids are left out). */
export const coveragesById = (em: EntityManager, ids: readonly string[]) =>
  selectCoverages(em, 'id', ids);

/** The member id in clear. Throws FieldIntegrityError if the stored value was altered or moved. */
export async function memberIdOf(
  em: EntityManager,
  cipher: FieldCipher,
  row: Pick<CoverageRow, 'id' | 'memberIdCipher'>,
): Promise<string> {
  return cipher.decrypt(em, row.memberIdCipher, memberIdContext(row.id));
}
