import type { EntityManager } from '@mikro-orm/postgresql';
import { publish } from '../../../platform/events/contract.js';
import {
  PHARMACY_LOT_EXPIRED,
  PHARMACY_LOT_EXPIRING,
  PHARMACY_STOCK_LOW,
} from '../../contracts/pharmacy-events.js';
import { consumersOf } from '../../subscriptions.js';
import { addDays, dayOf } from '../domain/fefo.js';
import { badInput } from '../../../platform/errors/index.js';
import { requireActor, requireFacilityId, requireRxcui } from '../domain/stock-rules.js';
import { lockStocks, SCHEMA, type StockKey } from './stock-rows.js';

/** Days before expiry a lot with stock raises `expiring` (default). */
export const NEAR_EXPIRY_DAYS = 30;

export type StockAlertKind = 'low-stock' | 'expiring' | 'expired';

/** An alert as raised: facility, drug, lot and counts only. */
export interface StockAlert {
  id: string;
  kind: StockAlertKind;
  facilityId: string;
  drugRxcui: string;
  /** Null for `low-stock` (a drug's total), the lot otherwise. */
  lotId: string | null;
  /** Usable units (low-stock), the lot's units (expiring) or the units written off (expired). */
  quantity: number;
  raisedAt: Date;
}

interface AlertDbRow {
  id: string;
  kind: StockAlertKind;
  facility_id: string;
  drug_rxcui: string;
  lot_id: string | null;
  quantity: number;
  raised_at: string | Date;
}

const toAlert = (r: AlertDbRow): StockAlert => ({
  id: r.id,
  kind: r.kind,
  facilityId: r.facility_id,
  drugRxcui: r.drug_rxcui,
  lotId: r.lot_id,
  quantity: r.quantity,
  raisedAt: new Date(r.raised_at),
});

const ALERT_COLUMNS = 'id, kind, facility_id, drug_rxcui, lot_id, quantity, raised_at';

/** A lot an expiry run wrote off, for its `expired` alert. */
export interface WrittenOff {
  lotId: string;
  quantity: number;
}

/**
 * Raises and resolves the alerts of the given stocks after a movement, under
 * their locks (`lockStocks`), and publishes each newly raised alert through
 * the outbox:
 * - `low-stock` per (facility, drug) when the usable (unexpired) units are
 *   below the reorder level; resolved once they are not (a restock);
 * - `expiring` per lot with stock expiring within `nearExpiryDays`; resolved
 *   once the lot is empty or expired;
 * - `expired` per lot written off by an expiry run (`writtenOff`).
 * An alert is raised once while open (unique indexes); returns those raised now.
 */
export async function reviewStockAlerts(
  em: EntityManager,
  opts: {
    keys: readonly StockKey[];
    at: Date;
    nearExpiryDays?: number;
    writtenOff?: readonly WrittenOff[];
  },
): Promise<StockAlert[]> {
  if (!opts.keys.length) return [];
  const day = dayOf(opts.at);
  const horizon = addDays(day, opts.nearExpiryDays ?? NEAR_EXPIRY_DAYS);
  const keys = JSON.stringify(
    opts.keys.map((k) => ({ facility_id: k.facilityId, drug_rxcui: k.drugRxcui })),
  );
  const keyed = `SELECT DISTINCT * FROM json_to_recordset(?::json) AS x(facility_id text, drug_rxcui text)`;
  const at = opts.at.toISOString();
  // Sorted inserts: two writers of different stocks never wait on each other's index entries.
  const low = await em.execute<(AlertDbRow & { reorder_level: number })[]>(
    `WITH k AS (${keyed}),
     t AS (SELECT k.facility_id, k.drug_rxcui, s.reorder_level,
             COALESCE((SELECT sum(l.on_hand) FROM ${SCHEMA}.stock_lot l
                        WHERE l.facility_id = k.facility_id AND l.drug_rxcui = k.drug_rxcui
                          AND l.expires_on > ?::date), 0)::int AS usable
           FROM k JOIN ${SCHEMA}.stock_level s USING (facility_id, drug_rxcui)),
     resolved AS (UPDATE ${SCHEMA}.stock_alert a SET resolved_at = greatest(?::timestamptz, a.raised_at) FROM t
        WHERE a.kind = 'low-stock' AND a.resolved_at IS NULL AND a.facility_id = t.facility_id
          AND a.drug_rxcui = t.drug_rxcui AND t.usable >= t.reorder_level),
     ins AS (
       INSERT INTO ${SCHEMA}.stock_alert (id, facility_id, drug_rxcui, kind, quantity, raised_at)
       SELECT gen_random_uuid(), facility_id, drug_rxcui, 'low-stock', usable, ?::timestamptz
         FROM t WHERE usable < reorder_level ORDER BY facility_id, drug_rxcui
       ON CONFLICT (facility_id, drug_rxcui, kind) WHERE resolved_at IS NULL AND lot_id IS NULL
       DO NOTHING RETURNING ${ALERT_COLUMNS})
     SELECT ins.*, t.reorder_level FROM ins JOIN t USING (facility_id, drug_rxcui)`,
    [keys, day, at, at],
  );
  const lots = await em.execute<(AlertDbRow & { lot_number: string; expires_on: string })[]>(
    `WITH k AS (${keyed}),
     lots AS (SELECT l.* FROM ${SCHEMA}.stock_lot l JOIN k USING (facility_id, drug_rxcui)),
     resolved AS (UPDATE ${SCHEMA}.stock_alert a SET resolved_at = greatest(?::timestamptz, a.raised_at) FROM lots l
        WHERE a.kind = 'expiring' AND a.resolved_at IS NULL AND a.lot_id = l.id
          AND (l.on_hand = 0 OR l.expires_on <= ?::date)),
     off AS (SELECT * FROM json_to_recordset(?::json) AS x(lot_id uuid, quantity integer)),
     wanted AS (
       SELECT l.id AS lot_id, l.facility_id, l.drug_rxcui, 'expiring' AS kind, l.on_hand AS quantity
         FROM lots l WHERE l.on_hand > 0 AND l.expires_on > ?::date AND l.expires_on <= ?::date
       UNION ALL
       SELECT l.id, l.facility_id, l.drug_rxcui, 'expired', o.quantity
         FROM off o JOIN lots l ON l.id = o.lot_id),
     ins AS (
       INSERT INTO ${SCHEMA}.stock_alert (id, facility_id, drug_rxcui, lot_id, kind, quantity, raised_at)
       SELECT gen_random_uuid(), facility_id, drug_rxcui, lot_id, kind, quantity, ?::timestamptz
         FROM wanted ORDER BY lot_id, kind
       ON CONFLICT (lot_id, kind) WHERE resolved_at IS NULL AND lot_id IS NOT NULL
       DO NOTHING RETURNING ${ALERT_COLUMNS})
     SELECT ins.*, l.lot_number, to_char(l.expires_on, 'YYYY-MM-DD') AS expires_on
       FROM ins JOIN lots l ON l.id = ins.lot_id`,
    [
      keys,
      at,
      day,
      JSON.stringify(
        (opts.writtenOff ?? []).map((o) => ({ lot_id: o.lotId, quantity: o.quantity })),
      ),
      day,
      horizon,
      at,
    ],
  );
  for (const r of low) {
    await publish(
      em,
      SCHEMA,
      PHARMACY_STOCK_LOW,
      {
        alertId: r.id,
        facilityId: r.facility_id,
        drugRxcui: r.drug_rxcui,
        quantity: r.quantity,
        reorderLevel: r.reorder_level,
        raisedAt: at,
      },
      consumersOf(PHARMACY_STOCK_LOW.type),
      { id: r.id, occurredAt: at },
    );
  }
  for (const r of lots) {
    const contract = r.kind === 'expired' ? PHARMACY_LOT_EXPIRED : PHARMACY_LOT_EXPIRING;
    await publish(
      em,
      SCHEMA,
      contract,
      {
        alertId: r.id,
        facilityId: r.facility_id,
        drugRxcui: r.drug_rxcui,
        lotId: r.lot_id!,
        lotNumber: r.lot_number,
        expiresOn: r.expires_on,
        quantity: r.quantity,
        raisedAt: at,
      },
      consumersOf(contract.type),
      { id: r.id, occurredAt: at },
    );
  }
  return [...low, ...lots].map(toAlert);
}

/**
 * Sets the level below which a drug's usable stock at a facility raises
 * `low-stock`, and reviews the drug's alerts at once (a raised level may make
 * the stock low now; a lowered one resolves the alert).
 */
export async function setReorderLevel(
  em: EntityManager,
  input: { facilityId: string; drugRxcui: string; reorderLevel: number; by: string; at: Date },
): Promise<StockAlert[]> {
  const key = {
    facilityId: requireFacilityId(input.facilityId),
    drugRxcui: requireRxcui(input.drugRxcui),
  };
  if (!Number.isInteger(input.reorderLevel) || input.reorderLevel < 0 || input.reorderLevel > 1e7)
    throw badInput('A reorder level is a whole number from 0 to 10,000,000', 'reorderLevel');
  await lockStocks(em, [key]);
  await em.execute(
    `INSERT INTO ${SCHEMA}.stock_level (facility_id, drug_rxcui, reorder_level, updated_at, updated_by)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT (facility_id, drug_rxcui) DO UPDATE SET
       reorder_level = EXCLUDED.reorder_level, updated_at = EXCLUDED.updated_at,
       updated_by = EXCLUDED.updated_by`,
    [
      key.facilityId,
      key.drugRxcui,
      input.reorderLevel,
      input.at.toISOString(),
      requireActor(input.by),
    ],
  );
  return reviewStockAlerts(em, { keys: [key], at: input.at });
}

/** A facility's open alerts, oldest first. */
export async function openStockAlerts(
  em: EntityManager,
  facilityId: string,
): Promise<StockAlert[]> {
  const rows = await em.execute<AlertDbRow[]>(
    `SELECT ${ALERT_COLUMNS} FROM ${SCHEMA}.stock_alert
      WHERE facility_id = ? AND resolved_at IS NULL ORDER BY raised_at, id`,
    [requireFacilityId(facilityId)],
  );
  return rows.map(toAlert);
}

/** Closes an open alert (a pharmacist has dealt with it); false when none is open with that id. */
export async function resolveStockAlert(
  em: EntityManager,
  input: { alertId: string; at: Date },
): Promise<boolean> {
  const rows = await em.execute<{ id: string }[]>(
    `UPDATE ${SCHEMA}.stock_alert SET resolved_at = greatest(?::timestamptz, raised_at)
      WHERE id = ? AND resolved_at IS NULL RETURNING id`,
    [input.at.toISOString(), input.alertId],
  );
  return rows.length > 0;
}
