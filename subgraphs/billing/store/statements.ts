import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import type { CauseType, EntryKind } from '../domain/ledger.js';
import { money, parseCurrency, type Currency, type Money } from '../domain/money.js';
import type { ChargeKind } from './charges.js';
import { runOnce } from '../../../platform/db/idempotency.js';
import {
  collectPages,
  decodeKeyset,
  windowedPage,
  type Page,
  type WindowSpec,
} from '../../../platform/federation/keyset.js';
import { SCHEMA } from './ledger.js';

export interface IssueStatement {
  patientId: string;
  currency: string;
  /** YYYY-MM-DD, not before today (UTC); default the issue date + 30 days. */
  dueOn?: string | null;
  idempotencyKey: string;
  /** The caller (principal `sub`). */
  by: string;
}

export interface StatementRow {
  id: string;
  patientId: string;
  /** Per patient and currency: 1, 2, … */
  sequence: number;
  /** The previous statement's closing (zero for the first). */
  opening: Money;
  /** opening + the sum of this statement's lines. */
  closing: Money;
  issuedAt: Date;
  /** YYYY-MM-DD */
  dueOn: string;
  lineCount: number;
}

export interface StatementLine {
  entryId: string;
  postedAt: Date;
  kind: EntryKind;
  amount: Money;
  /** What the entry is, from codes only (no reasons, names or member ids). */
  description: string;
  appointmentId: string | null;
  claimId: string | null;
  paymentId: string | null;
}

interface StatementDbRow {
  id: string;
  patient_id: string;
  currency: string;
  sequence: number;
  opening_minor: string;
  closing_minor: string;
  issued_at: string;
  due_on: string;
  line_count: number;
}

const OPERATION = 'issueStatement';
const DEFAULT_DUE_DAYS = 30;

// Issued at millisecond precision so `issuedAt` (a JS Date) round-trips exactly through a cursor.
const statementColumns = `s.id, s.patient_id, s.currency, s.sequence, s.opening_minor::text AS opening_minor,
  s.closing_minor::text AS closing_minor, s.issued_at, to_char(s.due_on, 'YYYY-MM-DD') AS due_on`;
const lineCount = `(SELECT count(*) FROM ${SCHEMA}.statement_line l WHERE l.statement_id = r.id)::int`;

function toStatement(r: StatementDbRow): StatementRow {
  return {
    id: r.id,
    patientId: r.patient_id,
    sequence: r.sequence,
    opening: money(r.opening_minor, r.currency),
    closing: money(r.closing_minor, r.currency),
    issuedAt: new Date(r.issued_at),
    dueOn: r.due_on,
    lineCount: r.line_count,
  };
}

/** A due date: a real calendar date, not before today (UTC). */
function requireDueOn(dueOn: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dueOn);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== dueOn)
    throw badInput('dueOn is a calendar date (YYYY-MM-DD)', 'dueOn');
  if (dueOn < new Date().toISOString().slice(0, 10))
    throw badInput('dueOn cannot be in the past', 'dueOn');
  return dueOn;
}

async function loadStatement(em: EntityManager, id: string): Promise<StatementRow> {
  const [r] = await em.execute<StatementDbRow[]>(
    `SELECT r.*, ${lineCount} AS line_count FROM (
       SELECT ${statementColumns} FROM ${SCHEMA}.statement s WHERE s.id = ?) r`,
    [id],
  );
  if (!r) throw new Error('Idempotency key points to a missing statement');
  return toStatement(r);
}

/**
 * Issues the next statement of a patient's account in `currency`, once per
 * (caller, idempotency key). Statements of one account are issued one at a
 * time (a transaction-scoped advisory lock), and each lists exactly the
 * entries no earlier statement lists, whenever they were committed: so no
 * entry is stated twice or skipped, and the closing equals the sum of every
 * entry stated so far. Only the first statement may be empty.
 */
export async function issueStatement(
  em: EntityManager,
  input: IssueStatement,
): Promise<{ statement: StatementRow; replayed: boolean }> {
  const patientId = requireUuid(input.patientId, 'patientId');
  let currency: Currency;
  try {
    currency = parseCurrency(input.currency);
  } catch {
    throw badInput('Unsupported currency', 'currency');
  }
  const dueOn = input.dueOn == null ? null : requireDueOn(input.dueOn);
  const { id, replayed } = await runOnce(
    em,
    SCHEMA,
    {
      by: input.by,
      key: input.idempotencyKey,
      operation: OPERATION,
      request: { patientId, currency, dueOn },
    },
    async (tem) => {
      await tem.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [
        `billing-statement:${patientId}:${currency}`,
      ]);
      // Read after the lock: these statements see whatever the previous holder committed.
      const [previous] = await tem.execute<{ sequence: number; closing_minor: string }[]>(
        `SELECT sequence, closing_minor::text AS closing_minor FROM ${SCHEMA}.statement
         WHERE patient_id = ? AND currency = ? ORDER BY sequence DESC LIMIT 1`,
        [patientId, currency],
      );
      const lines = await tem.execute<{ id: string; amount_minor: string }[]>(
        `SELECT e.id, e.amount_minor::text AS amount_minor FROM ${SCHEMA}.ledger_entry e
         WHERE e.account_patient_id = ? AND e.currency = ?
           AND NOT EXISTS (SELECT 1 FROM ${SCHEMA}.statement_line l WHERE l.entry_id = e.id)`,
        [patientId, currency],
      );
      if (previous && !lines.length)
        throw badInput('Nothing to state: no entries since the last statement');
      const opening = BigInt(previous?.closing_minor ?? '0');
      const closing = lines.reduce((s, l) => s + BigInt(l.amount_minor), opening);
      const statementId = randomUUID();
      await tem.execute(
        `INSERT INTO ${SCHEMA}.statement (id, patient_id, currency, sequence, opening_minor,
           closing_minor, issued_at, due_on, created_by)
         SELECT ?, ?, ?, ?, ?, ?, t.at, COALESCE(?::date, (t.at AT TIME ZONE 'UTC')::date + ?), ?
         FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS at) t`,
        [
          statementId,
          patientId,
          currency,
          (previous?.sequence ?? 0) + 1,
          opening.toString(),
          closing.toString(),
          dueOn,
          DEFAULT_DUE_DAYS,
          input.by,
        ],
      );
      if (lines.length)
        await tem.execute(
          `INSERT INTO ${SCHEMA}.statement_line (statement_id, entry_id)
           SELECT ?, json_array_elements_text(?::json)::uuid`,
          [statementId, JSON.stringify(lines.map((l) => l.id))],
        );
      return statementId;
    },
  );
  return { statement: await loadStatement(em, id), replayed };
}

/** A patient's statements (all currencies), newest first. */
const STATEMENTS: WindowSpec = {
  kind: 'statement',
  from: `${SCHEMA}.statement s`,
  owner: 's.patient_id',
  at: 's.issued_at',
  id: 's.id',
  order: 'desc',
  select: statementColumns,
};

/**
 * Statements of many patients (all currencies), newest first, `first` per
 * patient after the cursor: one windowed SQL statement for all of them.
 */
export async function statementsPage(
  em: EntityManager,
  patientIds: readonly string[],
  first: number,
  after?: string | null,
): Promise<Map<string, Page<StatementRow>>> {
  const window = windowedPage(STATEMENTS, patientIds, first, after);
  const rows = patientIds.length
    ? await em.execute<(StatementDbRow & { sort_key: string })[]>(
        `SELECT r.*, ${lineCount} AS line_count FROM (${window.sql}) r
         WHERE r.rn <= ? ORDER BY r.patient_id, r.rn`,
        [...window.params, window.limit],
      )
    : [];
  return collectPages(
    STATEMENTS,
    window,
    patientIds,
    rows,
    (r) => r.patient_id,
    (r) => r.id,
    toStatement,
  );
}

interface LineDbRow {
  statement_id: string;
  id: string;
  /** timestamptz: raw queries return it as text. */
  created_at: string;
  kind: EntryKind;
  amount_minor: string;
  currency: string;
  cause_type: CauseType;
  cause_id: string;
  charge_kind: ChargeKind | null;
  code: string | null;
  units: number | null;
  fee_description: string | null;
  payment_method: string | null;
  o_kind: EntryKind | null;
  o_cause_type: CauseType | null;
  o_cause_id: string | null;
  o_charge_kind: ChargeKind | null;
  o_code: string | null;
  o_units: number | null;
  o_fee_description: string | null;
  o_payment_method: string | null;
}

/** What an entry is, from its kind, cause and charge (lower-case first word, for "Reversal of …"). */
interface Described {
  kind: EntryKind;
  causeType: CauseType;
  chargeKind: ChargeKind | null;
  code: string | null;
  units: number | null;
  feeDescription: string | null;
  /** How a payment came (`payment.method`), so the statement line says it. */
  paymentMethod: string | null;
}

const PAYMENT_METHODS: Record<string, string> = {
  cash: 'cash',
  cheque: 'cheque',
  'card-terminal': 'card terminal',
  provider: 'online, payment provider',
};

function describe(d: Described): string {
  const ofClaim = d.causeType === 'claim' ? ' (claim)' : '';
  switch (d.kind) {
    case 'charge':
      if (d.chargeKind === 'no-show-fee') return 'no-show fee';
      if (!d.code) return 'charge';
      return `${d.code}${d.feeDescription ? ` ${d.feeDescription}` : ''} ×${d.units ?? 1}`;
    case 'payment': {
      const method = d.paymentMethod ? PAYMENT_METHODS[d.paymentMethod] : undefined;
      return method ? `payment (${method})` : 'payment';
    }
    case 'refund':
      return 'refund';
    case 'insurance-payment':
      return `insurance payment${ofClaim}`;
    case 'adjustment-writeoff':
      return `write-off${ofClaim}`;
    case 'adjustment-correction':
      return `correction${ofClaim}`;
    case 'reversal':
      return 'reversal';
  }
}

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function toLine(r: LineDbRow): StatementLine {
  const own: Described = {
    kind: r.kind,
    causeType: r.cause_type,
    chargeKind: r.charge_kind,
    code: r.code,
    units: r.units,
    feeDescription: r.fee_description,
    paymentMethod: r.payment_method,
  };
  const original: Described | null =
    r.o_kind && r.o_cause_type
      ? {
          kind: r.o_kind,
          causeType: r.o_cause_type,
          chargeKind: r.o_charge_kind,
          code: r.o_code,
          units: r.o_units,
          feeDescription: r.o_fee_description,
          paymentMethod: r.o_payment_method,
        }
      : null;
  // A reversal is about what it undoes: it links to the original's cause.
  const cause =
    original && r.o_cause_id
      ? { type: original.causeType, id: r.o_cause_id }
      : { type: r.cause_type, id: r.cause_id };
  const idOf = (type: CauseType) => (cause.type === type ? cause.id : null);
  return {
    entryId: r.id,
    postedAt: new Date(r.created_at),
    kind: r.kind,
    amount: money(r.amount_minor, r.currency),
    description: capitalized(original ? `reversal of ${describe(original)}` : describe(own)),
    appointmentId: idOf('appointment'),
    claimId: idOf('claim'),
    paymentId: idOf('payment'),
  };
}

/** A statement's lines, in posting order (entry time, then id). */
const LINES: WindowSpec = {
  kind: 'statement-line',
  from: `${SCHEMA}.statement_line l JOIN ${SCHEMA}.ledger_entry e ON e.id = l.entry_id`,
  owner: 'l.statement_id',
  at: 'e.created_at',
  id: 'e.id',
  order: 'asc',
  select: 'l.statement_id, l.entry_id',
};

/** Checks `after` of `statementLinesPage` (BAD_USER_INPUT 'after' unless one of its cursors). */
export const checkLineCursor = (after: string | null | undefined): void => {
  decodeKeyset(LINES.kind, after);
};

/**
 * The lines of many statements, each in posting order (entry time, then id),
 * `first` per statement after the cursor: one windowed SQL statement for all
 * of them.
 */
export async function statementLinesPage(
  em: EntityManager,
  statementIds: readonly string[],
  first: number,
  after?: string | null,
): Promise<Map<string, Page<StatementLine>>> {
  const window = windowedPage(LINES, statementIds, first, after);
  // The window picks each statement's page first; only those rows are described.
  const rows = statementIds.length
    ? await em.execute<(LineDbRow & { sort_key: string })[]>(
        `SELECT w.statement_id, w.sort_key, e.id, e.created_at,
       e.kind, e.amount_minor::text AS amount_minor, e.currency, e.cause_type, e.cause_id,
       c.kind AS charge_kind, c.code, c.units, f.description AS fee_description,
       o.kind AS o_kind, o.cause_type AS o_cause_type, o.cause_id AS o_cause_id,
       oc.kind AS o_charge_kind, oc.code AS o_code, oc.units AS o_units,
       ofs.description AS o_fee_description, pm.method AS payment_method,
       opm.method AS o_payment_method
     FROM (${window.sql}) w
     JOIN ${SCHEMA}.ledger_entry e ON e.id = w.entry_id
     LEFT JOIN ${SCHEMA}.charge c ON c.ledger_entry_id = e.id
     LEFT JOIN ${SCHEMA}.fee_schedule f ON f.code = c.code
     LEFT JOIN ${SCHEMA}.ledger_entry o ON o.id = e.reverses_entry_id
     LEFT JOIN ${SCHEMA}.charge oc ON oc.ledger_entry_id = o.id
     LEFT JOIN ${SCHEMA}.fee_schedule ofs ON ofs.code = oc.code
     LEFT JOIN ${SCHEMA}.payment pm ON pm.ledger_entry_id = e.id
     LEFT JOIN ${SCHEMA}.payment opm ON opm.ledger_entry_id = o.id
     WHERE w.rn <= ?
     ORDER BY w.statement_id, w.rn`,
        [...window.params, window.limit],
      )
    : [];
  return collectPages(
    LINES,
    window,
    statementIds,
    rows,
    (r) => r.statement_id,
    (r) => r.id,
    toLine,
  );
}
