import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, notFound } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { decodeKeyset, instantKey, keysetCursor } from '../../../platform/federation/keyset.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import {
  adjudicationEntries,
  adjudicationProblem,
  type Adjudication,
} from '../domain/adjudication.js';
import {
  assertTransition,
  isClaimOutcome,
  isClaimStatus,
  type ClaimOutcome,
  type ClaimStatus,
} from '../domain/claim-status.js';
import { money, sum, type Money } from '../domain/money.js';
import { chargeSelect, selectCharges, toCharge, type ChargeRow } from './charges.js';
import { postEntries, SCHEMA } from './ledger.js';

export type { ClaimOutcome, ClaimStatus } from '../domain/claim-status.js';

/** A claim: one appointment's service charges billed to one coverage. */
export interface ClaimRow {
  id: string;
  patientId: string;
  coverageId: string;
  payerId: string;
  appointmentId: string;
  status: ClaimStatus;
  outcome: ClaimOutcome | null;
  total: Money;
  allowed: Money | null;
  paid: Money | null;
  denialReason: string | null;
  payerReference: string | null;
  submittedAt: Date | null;
  adjudicatedAt: Date | null;
  closedAt: Date | null;
  version: number;
  createdAt: Date;
}

interface ClaimDbRow {
  id: string;
  patient_id: string;
  coverage_id: string;
  payer_id: string;
  appointment_id: string;
  status: ClaimStatus;
  outcome: ClaimOutcome | null;
  total_minor: string;
  allowed_minor: string | null;
  paid_minor: string | null;
  currency: string;
  denial_reason: string | null;
  payer_reference: string | null;
  submitted_at: string | null;
  adjudicated_at: string | null;
  closed_at: string | null;
  version: number;
  created_at: string;
}

/** A timestamptz column as ISO 8601 UTC text (the driver would return PostgreSQL's own format). */
const utc = (col: string) =>
  `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${col}`;
const date = (v: string | null) => (v === null ? null : new Date(v));

const COLUMNS = `id, patient_id, coverage_id, payer_id, appointment_id, status, outcome,
  total_minor::text AS total_minor, allowed_minor::text AS allowed_minor,
  paid_minor::text AS paid_minor, currency, denial_reason, payer_reference,
  ${utc('submitted_at')}, ${utc('adjudicated_at')}, ${utc('closed_at')}, version, ${utc('created_at')}`;

const ids = (values: readonly string[]) => JSON.stringify(values);
const IN_UUIDS = 'IN (SELECT json_array_elements_text(?::json)::uuid)';

function toClaim(r: ClaimDbRow): ClaimRow {
  const opt = (v: string | null) => (v === null ? null : money(v, r.currency));
  return {
    id: r.id,
    patientId: r.patient_id,
    coverageId: r.coverage_id,
    payerId: r.payer_id,
    appointmentId: r.appointment_id,
    status: r.status,
    outcome: r.outcome,
    total: money(r.total_minor, r.currency),
    allowed: opt(r.allowed_minor),
    paid: opt(r.paid_minor),
    denialReason: r.denial_reason,
    payerReference: r.payer_reference,
    submittedAt: date(r.submitted_at),
    adjudicatedAt: date(r.adjudicated_at),
    closedAt: date(r.closed_at),
    version: r.version,
    createdAt: new Date(r.created_at),
  };
}

/** The claim as its history keeps it: amounts as strings of minor units, times as ISO strings. */
function snapshot(c: ClaimRow, extra: Record<string, unknown> = {}): string {
  const minor = (m: Money | null) => (m === null ? null : m.amountMinor.toString());
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return JSON.stringify({
    status: c.status,
    outcome: c.outcome,
    patientId: c.patientId,
    coverageId: c.coverageId,
    payerId: c.payerId,
    appointmentId: c.appointmentId,
    currency: c.total.currency,
    totalMinor: minor(c.total),
    allowedMinor: minor(c.allowed),
    paidMinor: minor(c.paid),
    denialReason: c.denialReason,
    payerReference: c.payerReference,
    submittedAt: iso(c.submittedAt),
    adjudicatedAt: iso(c.adjudicatedAt),
    closedAt: iso(c.closedAt),
    ...extra,
  });
}

async function writeVersion(
  em: EntityManager,
  c: ClaimRow,
  by: string,
  extra?: Record<string, unknown>,
): Promise<void> {
  await em.execute(
    `INSERT INTO ${SCHEMA}.claim_version (claim_id, version, status, snapshot, changed_by)
     VALUES (?, ?, ?, ?::jsonb, ?)`,
    [c.id, c.version, c.status, snapshot(c, extra), by],
  );
}

/**
 * The claim at its newest state, locked until the transaction ends (an advisory lock: the
 * claim's rows are append-only, so no row lock), so transitions of one claim run one at a time.
 */
async function lockClaim(em: EntityManager, id: string): Promise<ClaimRow> {
  await em.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [`billing-claim-state:${id}`]);
  const [row] = await em.execute<ClaimDbRow[]>(
    `SELECT ${COLUMNS} FROM ${SCHEMA}.claim WHERE id = ?`,
    [id],
  );
  if (!row) throw notFound('Claim');
  return toClaim(row);
}

/** What one transition changes; anything left out keeps its value. */
interface ClaimChange {
  status: ClaimStatus;
  outcome?: ClaimOutcome;
  allowedMinor?: bigint;
  paidMinor?: bigint;
  denialReason?: string | null;
  payerReference?: string | null;
  /** Which instant this transition stamps with now(). */
  stamp?: 'submitted_at' | 'adjudicated_at' | 'closed_at';
}

const STAMPS = ['submitted_at', 'adjudicated_at', 'closed_at'] as const;

/**
 * Records a locked claim's next state as a new `claim_state` row (version + 1),
 * never an UPDATE, and the new state in its history.
 */
async function saveClaim(
  em: EntityManager,
  current: ClaimRow,
  change: ClaimChange,
  by: string,
): Promise<ClaimRow> {
  const stamps = STAMPS.map((c) => (change.stamp === c ? 'now()' : c)).join(', ');
  await em.execute(
    `INSERT INTO ${SCHEMA}.claim_state (claim_id, version, status, outcome, allowed_minor,
       paid_minor, denial_reason, payer_reference, submitted_at, adjudicated_at, closed_at, changed_by)
     SELECT claim_id, version + 1, ?, COALESCE(?, outcome), COALESCE(?::bigint, allowed_minor),
       COALESCE(?::bigint, paid_minor), ${change.denialReason !== undefined ? '?' : 'denial_reason'},
       ${change.payerReference !== undefined ? '?' : 'payer_reference'}, ${stamps}, ?
     FROM ${SCHEMA}.claim_state WHERE claim_id = ? AND version = ?`,
    [
      change.status,
      change.outcome ?? null,
      change.allowedMinor?.toString() ?? null,
      change.paidMinor?.toString() ?? null,
      ...(change.denialReason !== undefined ? [change.denialReason] : []),
      ...(change.payerReference !== undefined ? [change.payerReference] : []),
      by,
      current.id,
      current.version,
    ],
  );
  const [row] = await em.execute<ClaimDbRow[]>(
    `SELECT ${COLUMNS} FROM ${SCHEMA}.claim WHERE id = ?`,
    [current.id],
  );
  if (!row || row.version !== current.version + 1) throw new Error('A locked claim vanished');
  const claim = toClaim(row);
  await writeVersion(em, claim, by);
  return claim;
}

function requireBy(by: string): string {
  if (typeof by !== 'string' || !by) throw new Error('Claim changes need the acting principal');
  return by;
}

interface CoverageForClaim {
  patient_id: string;
  payer_id: string;
  status: string;
  period_start: string;
  period_end: string | null;
}

/**
 * The appointment's patient and date of service: the UTC day it started, or,
 * when billing has not seen the appointment, the UTC day of its first charge.
 */
async function serviceOf(
  em: EntityManager,
  appointmentId: string,
): Promise<{ patient_id: string; service_date: string } | undefined> {
  const [row] = await em.execute<{ patient_id: string; service_date: string }[]>(
    `SELECT patient_id, service_date FROM (
       SELECT 1 AS rank, patient_id, to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS service_date
         FROM ${SCHEMA}.appointment_state WHERE appointment_id = ?
       UNION ALL
       (SELECT 2, patient_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')
         FROM ${SCHEMA}.charge WHERE appointment_id = ? ORDER BY created_at LIMIT 1)
     ) s ORDER BY rank LIMIT 1`,
    [appointmentId, appointmentId],
  );
  return row;
}

/**
 * Drafts a claim for an appointment against a coverage: every service charge
 * of the appointment that is not reversed and not on another claim (unless
 * that claim was denied). The coverage must be active, the appointment
 * patient's, and in force on the date of service; with nothing left to bill
 * it is BAD_USER_INPUT. One claim per appointment and coverage: a second is
 * CONFLICT. Concurrent drafts of one appointment run one at a time, so no
 * charge lands on two claims.
 */
export async function createClaim(
  em: EntityManager,
  input: { appointmentId: string; coverageId: string; by: string },
): Promise<ClaimRow> {
  const appointmentId = requireUuid(input.appointmentId, 'appointmentId');
  const coverageId = requireUuid(input.coverageId, 'coverageId');
  const by = requireBy(input.by);
  try {
    return await em.transactional(async (tem) => {
      await tem.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [
        `billing-claim:${appointmentId}`,
      ]);
      // FOR SHARE: the coverage cannot be cancelled until this claim commits.
      const [coverage] = await tem.execute<CoverageForClaim[]>(
        `SELECT patient_id, payer_id, status, to_char(period_start, 'YYYY-MM-DD') AS period_start,
           to_char(period_end, 'YYYY-MM-DD') AS period_end
         FROM ${SCHEMA}.coverage WHERE id = ? FOR SHARE`,
        [coverageId],
      );
      if (!coverage) throw badInput('Unknown coverage', 'coverageId');
      const [existing] = await tem.execute<{ id: string }[]>(
        `SELECT id FROM ${SCHEMA}.claim WHERE appointment_id = ? AND coverage_id = ?`,
        [appointmentId, coverageId],
      );
      if (existing)
        throw conflict('This appointment already has a claim against this coverage', {
          claimId: existing.id,
        });
      const charges = await selectCharges(tem, 'c.appointment_id = ?', [appointmentId]);
      const service = await serviceOf(tem, appointmentId);
      if (!service) throw badInput('The appointment has no charges to bill', 'appointmentId');
      if (coverage.patient_id !== service.patient_id)
        throw badInput('The coverage does not belong to the appointment’s patient', 'coverageId');
      if (coverage.status !== 'active') throw badInput('The coverage is cancelled', 'coverageId');
      const serviceDate = service.service_date;
      if (
        serviceDate < coverage.period_start ||
        (coverage.period_end !== null && serviceDate > coverage.period_end)
      )
        throw badInput('The coverage is not in force on the date of service', 'coverageId');
      const taken = await tem.execute<{ charge_id: string }[]>(
        `SELECT cc.charge_id FROM ${SCHEMA}.claim_charge cc JOIN ${SCHEMA}.claim k ON k.id = cc.claim_id
         WHERE k.appointment_id = ? AND k.outcome IS DISTINCT FROM 'denied'`,
        [appointmentId],
      );
      const takenIds = new Set(taken.map((t) => t.charge_id));
      const billable = charges.filter(
        (c) =>
          c.kind === 'service' &&
          !c.reversed &&
          !takenIds.has(c.id) &&
          c.patientId === service.patient_id,
      );
      const first = billable[0];
      if (!first)
        throw badInput(
          'Nothing left to bill: the appointment has no unclaimed, unreversed service charge',
          'appointmentId',
        );
      if (billable.some((c) => c.amount.currency !== first.amount.currency))
        throw badInput(
          'The charges are in different currencies; bill them separately',
          'appointmentId',
        );
      const total = sum(
        first.amount.currency,
        billable.map((c) => c.amount),
      );
      const id = randomUUID();
      // Milliseconds only, so the cursor (a JS Date) pages exactly.
      await tem.execute(
        `INSERT INTO ${SCHEMA}.claim_record (id, patient_id, coverage_id, payer_id, appointment_id,
           total_minor, currency, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, date_trunc('milliseconds', now()))`,
        [
          id,
          service.patient_id,
          coverageId,
          coverage.payer_id,
          appointmentId,
          total.amountMinor.toString(),
          total.currency,
          by,
        ],
      );
      await tem.execute(
        `INSERT INTO ${SCHEMA}.claim_state (claim_id, version, status, changed_by)
         VALUES (?, 1, 'draft', ?)`,
        [id, by],
      );
      const [row] = await tem.execute<ClaimDbRow[]>(
        `SELECT ${COLUMNS} FROM ${SCHEMA}.claim WHERE id = ?`,
        [id],
      );
      if (!row) throw new Error('Claim insert returned no row');
      await tem.execute(
        `INSERT INTO ${SCHEMA}.claim_charge (claim_id, charge_id)
         SELECT ?::uuid, x::uuid FROM json_array_elements_text(?::json) AS t(x)`,
        [id, ids(billable.map((c) => c.id))],
      );
      const claim = toClaim(row);
      await writeVersion(tem, claim, by, { chargeIds: billable.map((c) => c.id) });
      return claim;
    });
  } catch (err) {
    if ((err as { code?: string } | null)?.code === '23505')
      throw conflict('This appointment already has a claim against this coverage');
    throw err;
  }
}

/**
 * Submits a draft claim to its payer; with `expectedVersion`, only if the
 * claim is still at that version (else CONFLICT with `currentVersion`). A
 * claim with a charge reversed since drafting is BAD_USER_INPUT.
 */
export async function submitClaim(
  em: EntityManager,
  id: string,
  expectedVersion: number | undefined,
  by: string,
): Promise<ClaimRow> {
  requireUuid(id);
  requireBy(by);
  return em.transactional(async (tem) => {
    const claim = await lockClaim(tem, id);
    if (expectedVersion !== undefined && claim.version !== expectedVersion)
      throw conflict('The claim was changed meanwhile; reload it and retry', {
        currentVersion: claim.version,
      });
    assertTransition(claim.status, 'submitted');
    const charges = (await claimCharges(tem, [id])).get(id) ?? [];
    if (charges.some((c) => c.reversed))
      throw badInput('A charge on this claim was reversed; draft a new claim', 'id');
    return saveClaim(tem, claim, { status: 'submitted', stamp: 'submitted_at' }, by);
  });
}

/**
 * Records the payer's decision on a submitted claim (see `adjudicationProblem`
 * for the amount rules) and posts it to the patient's account in the same
 * transaction: the insurance payment and the contractual write-off, under
 * ids stable per claim. The claim row is locked first, so of concurrent
 * adjudications exactly one applies; the others get INVALID_TRANSITION.
 */
export async function adjudicateClaim(
  em: EntityManager,
  id: string,
  input: Adjudication & { by: string },
): Promise<ClaimRow> {
  requireUuid(id);
  const by = requireBy(input.by);
  if (!isClaimOutcome(input.outcome))
    throw badInput('outcome is paid, partially-paid or denied', 'outcome');
  return em.transactional(async (tem) => {
    const claim = await lockClaim(tem, id);
    assertTransition(claim.status, input.outcome);
    const problem = adjudicationProblem(claim.total, input);
    if (problem) throw badInput(problem.message, problem.field);
    await postEntries(tem, adjudicationEntries(claim, input, by));
    return saveClaim(
      tem,
      claim,
      {
        status: input.outcome,
        outcome: input.outcome,
        allowedMinor: input.allowed.amountMinor,
        paidMinor: input.paid.amountMinor,
        denialReason: input.outcome === 'denied' ? (input.denialReason ?? '').trim() : null,
        payerReference: input.payerReference ?? null,
        stamp: 'adjudicated_at',
      },
      by,
    );
  });
}

/** Closes an adjudicated claim (paid, partly paid or denied); anything else is INVALID_TRANSITION. */
export async function closeClaim(em: EntityManager, id: string, by: string): Promise<ClaimRow> {
  requireUuid(id);
  requireBy(by);
  return em.transactional(async (tem) => {
    const claim = await lockClaim(tem, id);
    assertTransition(claim.status, 'closed');
    return saveClaim(tem, claim, { status: 'closed', stamp: 'closed_at' }, by);
  });
}

/** Claims by id in one statement (unknown ids are left out), newest first. */
export async function claimsByIds(
  em: EntityManager,
  claimIds: readonly string[],
): Promise<ClaimRow[]> {
  if (!claimIds.length) return [];
  const rows = await em.execute<ClaimDbRow[]>(
    `SELECT ${COLUMNS} FROM ${SCHEMA}.claim WHERE id ${IN_UUIDS} ORDER BY created_at DESC, id DESC`,
    [ids(claimIds.map((i) => requireUuid(i)))],
  );
  return rows.map(toClaim);
}

export interface ClaimFilter {
  /** Only these patients' claims (an empty list matches none). */
  patientIds?: readonly string[];
  payerId?: string;
  /** Any of these statuses (empty or absent: all). */
  status?: readonly ClaimStatus[];
}

/** The cursor kind of claim lists. */
const CLAIMS = 'claim';

/** A page of claims, and the cursor after each of them. */
export interface ClaimPage {
  rows: ClaimRow[];
  hasNextPage: boolean;
  cursorOf: (row: ClaimRow) => string;
}

/** One page of claims matching `filter`, newest first, after the claim whose cursor is `after`. */
export async function claimsPage(
  em: EntityManager,
  filter: ClaimFilter,
  first: number,
  after?: string | null,
): Promise<ClaimPage> {
  const size = pageSize(first);
  const keys = new Map<string, string>();
  const cursorOf = (row: ClaimRow) => keysetCursor(CLAIMS, keys.get(row.id) ?? '', row.id);
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.patientIds) {
    if (!filter.patientIds.length) return { rows: [], hasNextPage: false, cursorOf };
    where.push(`patient_id ${IN_UUIDS}`);
    params.push(ids(filter.patientIds.map((p) => requireUuid(p, 'patientIds'))));
  }
  if (filter.payerId !== undefined) {
    if (!/^[0-9]{1,12}$/.test(filter.payerId)) throw badInput('Unknown payer', 'payerId');
    where.push('payer_id = ?');
    params.push(filter.payerId);
  }
  if (filter.status?.length) {
    if (!filter.status.every(isClaimStatus)) throw badInput('Unknown claim status', 'status');
    where.push('status IN (SELECT json_array_elements_text(?::json))');
    params.push(JSON.stringify(filter.status));
  }
  const cursor = decodeKeyset(CLAIMS, after);
  if (cursor) {
    where.push('(created_at, id) < (?::timestamptz, ?::uuid)');
    params.push(cursor.at, cursor.id);
  }
  const rows = await em.execute<(ClaimDbRow & { sort_key: string })[]>(
    `SELECT ${COLUMNS}, ${instantKey('created_at')} AS sort_key
     FROM ${SCHEMA}.claim ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC LIMIT ?`,
    [...params, size + 1],
  );
  for (const r of rows) keys.set(r.id, r.sort_key);
  return { rows: rows.slice(0, size).map(toClaim), hasNextPage: rows.length > size, cursorOf };
}

/** The charges of many claims in one statement, oldest first; every asked id has an entry. */
export async function claimCharges(
  em: EntityManager,
  claimIds: readonly string[],
): Promise<Map<string, ChargeRow[]>> {
  const out = new Map<string, ChargeRow[]>(claimIds.map((id) => [id, []]));
  if (!claimIds.length) return out;
  const rows = await em.execute<(Parameters<typeof toCharge>[0] & { claim_id: string })[]>(
    `SELECT cc.claim_id, x.* FROM ${SCHEMA}.claim_charge cc JOIN (${chargeSelect}) x ON x.id = cc.charge_id
     WHERE cc.claim_id ${IN_UUIDS} ORDER BY x.created_at, x.code`,
    [ids(claimIds.map((i) => requireUuid(i)))],
  );
  for (const r of rows) out.get(r.claim_id)?.push(toCharge(r));
  return out;
}
