import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, notFound } from '../../../platform/errors/index.js';
import {
  entryProblem,
  reversalOf,
  type Cause,
  type NewEntry,
  type PostedEntry,
} from '../domain/ledger.js';
import { money, parseCurrency, type Money } from '../domain/money.js';
import { entryColumns, toEntry, type EntryRow } from './rows.js';

export const SCHEMA = 'billing';

const INSERT_COLUMNS =
  'id, account_patient_id, amount_minor, currency, kind, cause_type, cause_id, reverses_entry_id, created_by';

function sameEntry(a: NewEntry, b: PostedEntry): boolean {
  return (
    a.patientId === b.patientId &&
    a.amount.amountMinor === b.amount.amountMinor &&
    a.amount.currency === b.amount.currency &&
    a.kind === b.kind &&
    a.cause.type === b.cause.type &&
    a.cause.id === b.cause.id &&
    (a.reversesEntryId ?? null) === (b.reversesEntryId ?? null)
  );
}

/**
 * Posts `entries` in the caller's transaction, all or none. Idempotent on
 * each entry's id: an id already posted with the same content is skipped,
 * with other content it is CONFLICT. Returns how many entries were new.
 */
export async function postEntries(
  em: EntityManager,
  entries: readonly NewEntry[],
): Promise<number> {
  if (!em.isInTransaction()) throw new Error('postEntries runs inside the caller’s transaction');
  if (entries.length === 0) return 0;
  for (const e of entries) {
    const problem = entryProblem(e);
    if (problem) throw badInput(problem);
  }
  const rows = entries.map((e) => ({
    id: e.id,
    account_patient_id: e.patientId,
    amount_minor: e.amount.amountMinor.toString(),
    currency: e.amount.currency,
    kind: e.kind,
    cause_type: e.cause.type,
    cause_id: e.cause.id,
    reverses_entry_id: e.reversesEntryId ?? null,
    created_by: e.createdBy,
  }));
  // One statement for the batch; amounts travel as JSON strings and land in bigint exactly.
  const inserted = await em.execute<{ id: string }[]>(
    `INSERT INTO ${SCHEMA}.ledger_entry (${INSERT_COLUMNS})
     SELECT ${INSERT_COLUMNS} FROM json_to_recordset(?::json) AS x(id uuid,
       account_patient_id uuid, amount_minor bigint, currency text, kind text, cause_type text,
       cause_id text, reverses_entry_id uuid, created_by text)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [JSON.stringify(rows)],
  );
  const fresh = new Set(inserted.map((r) => r.id));
  const replayed = entries.filter((e) => !fresh.has(e.id));
  if (replayed.length) {
    const existing = await em.execute<EntryRow[]>(
      `SELECT ${entryColumns} FROM ${SCHEMA}.ledger_entry
       WHERE id IN (SELECT json_array_elements_text(?::json)::uuid)`,
      [JSON.stringify(replayed.map((e) => e.id))],
    );
    const byId = new Map(existing.map((r) => [r.id, toEntry(r)]));
    for (const e of replayed) {
      const posted = byId.get(e.id);
      if (!posted || !sameEntry(e, posted))
        throw conflict('This ledger entry id was already posted with different content');
    }
  }
  return fresh.size;
}

/**
 * Undoes entry `entryId` with a reversal of the opposite amount, caused by
 * `cause` (default: the user `by`). Reversing twice returns the first
 * reversal (a unique index allows one per entry, also under concurrency);
 * a reversal itself cannot be reversed.
 */
export async function reverseEntry(
  em: EntityManager,
  entryId: string,
  by: string,
  cause: Cause = { type: 'user', id: by },
): Promise<PostedEntry> {
  const [row] = await em.execute<EntryRow[]>(
    `SELECT ${entryColumns} FROM ${SCHEMA}.ledger_entry WHERE id = ?`,
    [entryId],
  );
  if (!row) throw notFound('Ledger entry');
  const original = toEntry(row);
  if (original.kind === 'reversal') throw badInput('A reversal cannot be reversed');
  const entry = reversalOf(original, randomUUID(), cause, by);
  const problem = entryProblem(entry);
  if (problem) throw badInput(problem);
  await em.execute(
    `INSERT INTO ${SCHEMA}.ledger_entry (${INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (reverses_entry_id) DO NOTHING`,
    [
      entry.id,
      entry.patientId,
      entry.amount.amountMinor.toString(),
      entry.amount.currency,
      entry.kind,
      entry.cause.type,
      entry.cause.id,
      entryId,
      by,
    ],
  );
  const [reversal] = await em.execute<EntryRow[]>(
    `SELECT ${entryColumns} FROM ${SCHEMA}.ledger_entry WHERE reverses_entry_id = ?`,
    [entryId],
  );
  if (!reversal) throw new Error('Reversal vanished after insert');
  return toEntry(reversal);
}

/** One patient's summed entries in one currency, as `balanceRows` selects them. */
export interface BalanceRow {
  patient_id: string;
  total: string;
}

/** The statement summing each patient's entries in `currency` (one row per patient with any). */
export function balanceRows(
  patientIds: readonly string[],
  currency: string,
): { sql: string; params: unknown[] } {
  return {
    sql: `SELECT account_patient_id AS patient_id, SUM(amount_minor)::text AS total
            FROM ${SCHEMA}.ledger_entry
           WHERE currency = ? AND account_patient_id IN (SELECT json_array_elements_text(?::json)::uuid)
           GROUP BY account_patient_id`,
    params: [parseCurrency(currency), JSON.stringify(patientIds)],
  };
}

/** Each patient's balance from `balanceRows`' rows (zero for a patient with none). */
export function balancesFrom(
  patientIds: readonly string[],
  rows: readonly BalanceRow[],
  currency: string,
): Map<string, Money> {
  const cur = parseCurrency(currency);
  const byId = new Map(rows.map((r) => [r.patient_id, money(r.total, cur)]));
  return new Map(patientIds.map((id) => [id, byId.get(id) ?? money(0n, cur)]));
}

/**
 * The balances of many accounts in one currency: the sums of their entries,
 * computed by PostgreSQL in one statement (0 for an account with none).
 */
export async function balancesOf(
  em: EntityManager,
  patientIds: readonly string[],
  currency: string,
): Promise<Map<string, Money>> {
  const { sql, params } = balanceRows(patientIds, currency);
  return balancesFrom(patientIds, await em.execute<BalanceRow[]>(sql, params), currency);
}

/** A patient's balance in `currency`: the sum of the account's entries, computed by PostgreSQL. */
export async function balance(
  em: EntityManager,
  patientId: string,
  currency: string,
): Promise<Money> {
  return (await balancesOf(em, [patientId], currency)).get(patientId)!;
}
