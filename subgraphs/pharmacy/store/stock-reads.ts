import type { EntityManager } from '@mikro-orm/postgresql';
import { requireUuid } from '../../../platform/federation/ids.js';
import { dayOf, fefoOrder, usableOn } from '../domain/fefo.js';
import { requireFacilityId, requireRxcui } from '../domain/stock-rules.js';
import {
  lotColumns,
  SCHEMA,
  toLot,
  type LedgerRow,
  type Lot,
  type LotDbRow,
} from './stock-rows.js';

/** A drug's stock at a facility. */
export interface DrugStock {
  drugRxcui: string;
  /** Units on hand in every lot, expired or not (until an expiry run writes them off). */
  onHand: number;
  /** Units in lots not expired on the day asked about: what can be dispensed. */
  usable: number;
  /** Null when no reorder level is set. */
  reorderLevel: number | null;
  /** Lots holding stock, in the order they are drawn (expired ones last, flagged). */
  lots: (Lot & { expired: boolean })[];
}

/**
 * A facility's stock per drug (all its drugs, or those asked for), judged on
 * the day of `at` (default now): lots holding units, and each drug's totals.
 */
export async function stockOf(
  em: EntityManager,
  facilityId: string,
  drugRxcuis?: readonly string[],
  at: Date = new Date(),
): Promise<DrugStock[]> {
  requireFacilityId(facilityId);
  drugRxcuis?.forEach((d) => requireRxcui(d, 'drugRxcuis'));
  const filter = drugRxcuis ? JSON.stringify(drugRxcuis) : null;
  const [lots, levels] = await Promise.all([
    em.execute<LotDbRow[]>(
      `SELECT ${lotColumns} FROM ${SCHEMA}.stock_lot l
        WHERE l.facility_id = ? AND l.on_hand > 0
          AND (?::json IS NULL OR l.drug_rxcui IN (SELECT json_array_elements_text(?::json)))`,
      [facilityId, filter, filter],
    ),
    em.execute<{ drug_rxcui: string; reorder_level: number }[]>(
      `SELECT drug_rxcui, reorder_level FROM ${SCHEMA}.stock_level
        WHERE facility_id = ?
          AND (?::json IS NULL OR drug_rxcui IN (SELECT json_array_elements_text(?::json)))`,
      [facilityId, filter, filter],
    ),
  ]);
  const day = dayOf(at);
  const byDrug = new Map<string, DrugStock>();
  const entry = (drugRxcui: string) => {
    let s = byDrug.get(drugRxcui);
    if (!s)
      byDrug.set(
        drugRxcui,
        (s = { drugRxcui, onHand: 0, usable: 0, reorderLevel: null, lots: [] }),
      );
    return s;
  };
  for (const l of lots.map(toLot)) {
    const s = entry(l.drugRxcui);
    const expired = !usableOn(l.expiresOn, day);
    s.onHand += l.onHand;
    if (!expired) s.usable += l.onHand;
    s.lots.push({ ...l, expired });
  }
  for (const r of levels) entry(r.drug_rxcui).reorderLevel = r.reorder_level;
  for (const s of byDrug.values())
    s.lots = [
      ...fefoOrder(s.lots.filter((l) => !l.expired)),
      ...fefoOrder(s.lots.filter((l) => l.expired)),
    ];
  return [...byDrug.values()].sort((a, b) => a.drugRxcui.localeCompare(b.drugRxcui));
}

/** A lot's ledger in the order it was written: every movement, with its reason and note. */
export async function ledgerOf(em: EntityManager, lotId: string): Promise<LedgerRow[]> {
  const rows = await em.execute<
    {
      id: string;
      lot_id: string;
      kind: LedgerRow['kind'];
      delta: number;
      reason: LedgerRow['reason'];
      note: string | null;
      dispense_id: string | null;
      occurred_at: string | Date;
      recorded_by: string;
    }[]
  >(
    `SELECT id, lot_id, kind, delta, reason, note, dispense_id, occurred_at, recorded_by
       FROM ${SCHEMA}.stock_ledger WHERE lot_id = ? ORDER BY seq`,
    [requireUuid(lotId, 'lotId')],
  );
  return rows.map((r) => ({
    id: r.id,
    lotId: r.lot_id,
    kind: r.kind,
    delta: r.delta,
    reason: r.reason,
    note: r.note,
    dispenseId: r.dispense_id,
    at: new Date(r.occurred_at),
    by: r.recorded_by,
  }));
}

/** One lot by id, or undefined. */
export async function lotById(em: EntityManager, lotId: string): Promise<Lot | undefined> {
  const [row] = await em.execute<LotDbRow[]>(
    `SELECT ${lotColumns} FROM ${SCHEMA}.stock_lot l WHERE l.id = ?`,
    [lotId],
  );
  return row ? toLot(row) : undefined;
}
