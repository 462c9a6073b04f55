import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, notFound } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { addDays, dayOf, usableOn } from '../domain/fefo.js';
import {
  requireActor,
  requireDay,
  requireFacilityId,
  requireLotNumber,
  requireNote,
  requireReason,
  requireRxcui,
  requireUnits,
  stockBadInput,
  stockConflict,
  MAX_UNITS,
} from '../domain/stock-rules.js';
import { NEAR_EXPIRY_DAYS, reviewStockAlerts, type StockAlert } from './stock-alerts.js';
import {
  lockStocks,
  lotColumns,
  SCHEMA,
  toLot,
  writeMovements,
  type Lot,
  type LotDbRow,
} from './stock-rows.js';

/** What a movement did: the lot at its new balance and the alerts it raised. */
export interface StockMoved {
  lot: Lot;
  alerts: StockAlert[];
}

export interface ReceiveStock {
  facilityId: string;
  drugRxcui: string;
  lotNumber: string;
  /** `YYYY-MM-DD`: the lot may be used until the day before. */
  expiresOn: string;
  quantity: number;
  by: string;
  at: Date;
  nearExpiryDays?: number;
}

/**
 * Receives `quantity` units of a lot at a facility: the lot is created on its
 * first receipt, or topped up (same expiry, else LOT_EXPIRY_MISMATCH). A lot
 * already expired on the day is refused (LOT_EXPIRED). A restock resolves
 * the drug's low-stock alert; a lot near expiry raises `expiring`.
 */
export async function receiveStock(em: EntityManager, input: ReceiveStock): Promise<StockMoved> {
  const key = {
    facilityId: requireFacilityId(input.facilityId),
    drugRxcui: requireRxcui(input.drugRxcui),
  };
  const lotNumber = requireLotNumber(input.lotNumber);
  const expiresOn = requireDay(input.expiresOn, 'expiresOn');
  const quantity = requireUnits(input.quantity, 'quantity');
  const by = requireActor(input.by);
  if (!usableOn(expiresOn, dayOf(input.at)))
    throw stockBadInput('LOT_EXPIRED', 'This lot has expired: it cannot be received', 'expiresOn');
  await lockStocks(em, [key]);
  // A no-op update on conflict returns (and locks) the existing lot in the same statement.
  const [row] = await em.execute<LotDbRow[]>(
    `INSERT INTO ${SCHEMA}.stock_lot AS l (id, facility_id, drug_rxcui, lot_number, expires_on,
       on_hand, received_at) VALUES (?, ?, ?, ?, ?::date, 0, ?)
     ON CONFLICT (facility_id, drug_rxcui, lot_number) DO UPDATE SET on_hand = l.on_hand
     RETURNING ${lotColumns}`,
    [randomUUID(), key.facilityId, key.drugRxcui, lotNumber, expiresOn, input.at.toISOString()],
  );
  const lot = toLot(row!);
  if (lot.expiresOn !== expiresOn)
    throw stockConflict(
      'LOT_EXPIRY_MISMATCH',
      'This lot number is stocked with another expiry date: check the label',
    );
  if (lot.onHand + quantity > MAX_UNITS)
    throw badInput(`A lot holds at most ${MAX_UNITS} units`, 'quantity');
  const balances = await writeMovements(em, [
    { lotId: lot.id, kind: 'receipt', delta: quantity, at: input.at, by },
  ]);
  const alerts = await reviewStockAlerts(em, {
    keys: [key],
    at: input.at,
    nearExpiryDays: input.nearExpiryDays,
  });
  return { lot: { ...lot, onHand: balances.get(lot.id)! }, alerts };
}

export interface AdjustStock {
  lotId: string;
  /** Non-zero units: negative for waste, damage, returns; either way for a count correction. */
  delta: number;
  /** One of `ADJUSTMENT_REASONS` (checked: callers pass what the API received). */
  reason: string;
  /** No PHI: at most 200 characters. */
  note?: string | null;
  by: string;
  at: Date;
  nearExpiryDays?: number;
}

/** A lot, locked, or NOT_FOUND. */
async function lockedLot(em: EntityManager, lotId: string): Promise<Lot> {
  const [row] = await em.execute<LotDbRow[]>(
    `SELECT ${lotColumns} FROM ${SCHEMA}.stock_lot l WHERE l.id = ? FOR UPDATE`,
    [lotId],
  );
  if (!row) throw notFound('Stock lot');
  return toLot(row);
}

/**
 * Adjusts a lot's balance by `delta` for `reason`, with an optional note.
 * Never below zero: STOCK_BELOW_ZERO (CONFLICT) names no count.
 */
export async function adjustStock(em: EntityManager, input: AdjustStock): Promise<StockMoved> {
  const lotId = requireUuid(input.lotId, 'lotId');
  if (!Number.isInteger(input.delta) || input.delta === 0 || Math.abs(input.delta) > MAX_UNITS)
    throw badInput(
      `An adjustment is a non-zero whole number of at most ${MAX_UNITS} units`,
      'delta',
    );
  const reason = requireReason(input.reason);
  const note = requireNote(input.note);
  const by = requireActor(input.by);
  const [found] = await em.execute<{ facility_id: string; drug_rxcui: string }[]>(
    `SELECT facility_id, drug_rxcui FROM ${SCHEMA}.stock_lot WHERE id = ?`,
    [lotId],
  );
  if (!found) throw notFound('Stock lot');
  const key = { facilityId: found.facility_id, drugRxcui: found.drug_rxcui };
  await lockStocks(em, [key]);
  const lot = await lockedLot(em, lotId);
  if (lot.onHand + input.delta < 0)
    throw stockConflict('STOCK_BELOW_ZERO', 'The lot does not hold that many units');
  if (lot.onHand + input.delta > MAX_UNITS)
    throw badInput(`A lot holds at most ${MAX_UNITS} units`, 'delta');
  const balances = await writeMovements(em, [
    { lotId, kind: 'adjustment', delta: input.delta, reason, note, at: input.at, by },
  ]);
  const alerts = await reviewStockAlerts(em, {
    keys: [key],
    at: input.at,
    nearExpiryDays: input.nearExpiryDays,
  });
  return { lot: { ...lot, onHand: balances.get(lotId)! }, alerts };
}

/** What an expiry run did. */
export interface ExpiryRun {
  /** Lots written off, with the units each held. */
  expired: { lotId: string; facilityId: string; drugRxcui: string; quantity: number }[];
  alerts: StockAlert[];
}

/** Who expiry runs are recorded as. */
export const STOCK_SYSTEM = 'system:pharmacy-stock';

/**
 * The scheduled expiry run: every lot expired on the day of `at` (at one
 * facility, or all) that still holds stock is emptied by an `expiry` ledger
 * row, and raises `expired`; lots expiring within `nearExpiryDays` raise
 * `expiring`, and the drugs' low-stock alerts are reviewed. Idempotent: a
 * second run on the same day finds nothing left to write off. It holds one
 * advisory lock per (facility, drug) it touches until commit: a deployment
 * with many facilities schedules one run per facility.
 */
export async function expireLots(
  em: EntityManager,
  input: { at: Date; facilityId?: string; nearExpiryDays?: number; by?: string },
): Promise<ExpiryRun> {
  const facilityId = input.facilityId === undefined ? null : requireFacilityId(input.facilityId);
  const day = dayOf(input.at);
  const horizon = addDays(day, input.nearExpiryDays ?? NEAR_EXPIRY_DAYS);
  const by = requireActor(input.by ?? STOCK_SYSTEM);
  // The stocks with something to expire or to warn of; their locks first, then their lots'.
  const keys = (
    await em.execute<{ facility_id: string; drug_rxcui: string }[]>(
      `SELECT DISTINCT facility_id, drug_rxcui FROM ${SCHEMA}.stock_lot
        WHERE on_hand > 0 AND expires_on <= ?::date AND (?::text IS NULL OR facility_id = ?)`,
      [horizon, facilityId, facilityId],
    )
  ).map((r) => ({ facilityId: r.facility_id, drugRxcui: r.drug_rxcui }));
  if (!keys.length) return { expired: [], alerts: [] };
  await lockStocks(em, keys);
  const lots = (
    await em.execute<LotDbRow[]>(
      `SELECT ${lotColumns} FROM ${SCHEMA}.stock_lot l
        WHERE l.on_hand > 0 AND l.expires_on <= ?::date AND (l.facility_id, l.drug_rxcui) IN (
          SELECT facility_id, drug_rxcui FROM json_to_recordset(?::json) AS k(facility_id text, drug_rxcui text))
        ORDER BY l.id FOR UPDATE OF l`,
      [
        day,
        JSON.stringify(keys.map((k) => ({ facility_id: k.facilityId, drug_rxcui: k.drugRxcui }))),
      ],
    )
  ).map(toLot);
  await writeMovements(
    em,
    lots.map((l) => ({ lotId: l.id, kind: 'expiry' as const, delta: -l.onHand, at: input.at, by })),
  );
  const alerts = await reviewStockAlerts(em, {
    keys,
    at: input.at,
    nearExpiryDays: input.nearExpiryDays,
    writtenOff: lots.map((l) => ({ lotId: l.id, quantity: l.onHand })),
  });
  return {
    expired: lots.map((l) => ({
      lotId: l.id,
      facilityId: l.facilityId,
      drugRxcui: l.drugRxcui,
      quantity: l.onHand,
    })),
    alerts,
  };
}
