import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { LotStock } from '../domain/fefo.js';
import type { AdjustmentReason } from '../domain/stock-rules.js';

export const SCHEMA = 'pharmacy';

/** A lot as stored. */
export interface Lot extends LotStock {
  facilityId: string;
  drugRxcui: string;
  lotNumber: string;
}

export interface LotDbRow {
  id: string;
  facility_id: string;
  drug_rxcui: string;
  lot_number: string;
  expires_on: string;
  on_hand: number;
  received_at: string | Date;
}

/** Columns of `Lot` over `stock_lot l` (the date as text, never shifted by a time zone). */
export const lotColumns = `l.id, l.facility_id, l.drug_rxcui, l.lot_number,
  to_char(l.expires_on, 'YYYY-MM-DD') AS expires_on, l.on_hand, l.received_at`;

export function toLot(r: LotDbRow): Lot {
  return {
    id: r.id,
    facilityId: r.facility_id,
    drugRxcui: r.drug_rxcui,
    lotNumber: r.lot_number,
    expiresOn: r.expires_on,
    onHand: r.on_hand,
    // node-postgres returns timestamptz as text when read through em.execute.
    receivedAt: new Date(r.received_at),
  };
}

/** One (facility, drug) whose stock a transaction changes. */
export interface StockKey {
  facilityId: string;
  drugRxcui: string;
}

/**
 * Serialises every writer of the given (facility, drug) stocks: a transaction
 * advisory lock per pair, taken in one statement in the order of the lock ids,
 * so two writers needing overlapping pairs never wait on each other in a
 * cycle. Every stock movement and alert of a pair is written under its lock:
 * the alerts' dedupe and the low-stock sums then see one writer at a time.
 * Taken after the prescription's row lock (dispense), before any lot lock.
 */
export async function lockStocks(em: EntityManager, keys: readonly StockKey[]): Promise<void> {
  if (!keys.length) return;
  const names = [...new Set(keys.map((k) => `pharmacy-stock:${k.facilityId}:${k.drugRxcui}`))];
  await em.execute(
    `SELECT count(pg_advisory_xact_lock(k)) FROM (
       SELECT DISTINCT hashtextextended(n, 0) AS k FROM json_array_elements_text(?::json) AS n
       ORDER BY 1) s`,
    [JSON.stringify(names)],
  );
}

export type MovementKind = 'receipt' | 'dispense' | 'adjustment' | 'expiry';

/** One ledger row to write. */
export interface Movement {
  lotId: string;
  kind: MovementKind;
  delta: number;
  reason?: AdjustmentReason;
  note?: string | null;
  dispenseId?: string;
  at: Date;
  by: string;
}

/** A ledger row as read back. */
export interface LedgerRow extends Omit<Movement, 'reason' | 'note' | 'dispenseId'> {
  id: string;
  reason: AdjustmentReason | null;
  note: string | null;
  dispenseId: string | null;
}

/**
 * Appends `movements` to the ledger and moves each lot's `on_hand` by their
 * sum, in one statement: the cache and the ledger cannot drift apart. The
 * caller holds the lots' locks and has checked the balances; the CHECK
 * (on_hand ≥ 0) refuses anything it missed. Returns the new balances.
 */
export async function writeMovements(
  em: EntityManager,
  movements: readonly Movement[],
): Promise<Map<string, number>> {
  if (!em.isInTransaction()) throw new Error('Stock movements run inside the caller’s transaction');
  if (!movements.length) return new Map();
  const rows = movements.map((m) => ({
    id: randomUUID(),
    lot_id: m.lotId,
    kind: m.kind,
    delta: m.delta,
    reason: m.reason ?? null,
    note: m.note ?? null,
    dispense_id: m.dispenseId ?? null,
    occurred_at: m.at.toISOString(),
    recorded_by: m.by,
  }));
  const updated = await em.execute<{ id: string; on_hand: number }[]>(
    `WITH m AS (
       SELECT * FROM json_to_recordset(?::json) AS x(id uuid, lot_id uuid, kind text, delta integer,
         reason text, note text, dispense_id uuid, occurred_at timestamptz, recorded_by text)),
     ins AS (
       INSERT INTO ${SCHEMA}.stock_ledger (id, lot_id, kind, delta, reason, note, dispense_id,
         occurred_at, recorded_by)
       SELECT id, lot_id, kind, delta, reason, note, dispense_id, occurred_at, recorded_by FROM m)
     UPDATE ${SCHEMA}.stock_lot l SET on_hand = l.on_hand + d.delta
       FROM (SELECT lot_id, sum(delta)::int AS delta FROM m GROUP BY lot_id) d
      WHERE l.id = d.lot_id
     RETURNING l.id, l.on_hand`,
    [JSON.stringify(rows)],
  );
  return new Map(updated.map((r) => [r.id, r.on_hand]));
}
