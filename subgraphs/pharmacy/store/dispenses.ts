import type { EntityManager } from '@mikro-orm/postgresql';
import type { StatementBatch } from '../../../platform/db/statement.js';
import { notFound } from '../../../platform/errors/index.js';
import type { EventEnvelope } from '../../../platform/events/envelope.js';
import { publish, publishInBatch } from '../../../platform/events/contract.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { PHARMACY_DISPENSED, type PharmacyDispensedData } from '../../contracts/pharmacy-events.js';
import { consumersOf } from '../../subscriptions.js';
import { allocateFefo, dayOf } from '../domain/fefo.js';
import {
  requireActor,
  requireFacilityId,
  requirePrice,
  requireUnits,
  stockBadInput,
  stockConflict,
} from '../domain/stock-rules.js';
import { reviewStockAlerts, type StockAlert } from './stock-alerts.js';
import {
  lockStocks,
  lotColumns,
  SCHEMA,
  toLot,
  writeMovements,
  type LotDbRow,
} from './stock-rows.js';

export interface DispenseInput {
  /** Chosen by the caller (the idempotent write's record id). */
  dispenseId: string;
  prescriptionId: string;
  facilityId: string;
  quantity: number;
  by: string;
  at: Date;
  /** The catalogue's price per unit, in minor units of `currency`. */
  unitPriceMinor: bigint;
  currency: string;
  nearExpiryDays?: number;
}

/** Units of one lot given out by a dispense. */
export interface DispensedLot {
  lotId: string;
  lotNumber: string;
  expiresOn: string;
  quantity: number;
}

/** A dispense as stored. */
export interface DispenseRow {
  id: string;
  prescriptionId: string;
  patientId: string;
  facilityId: string;
  drugRxcui: string;
  quantity: number;
  fillNumber: number;
  dispensedAt: Date;
  dispensedBy: string;
  unitPriceMinor: bigint;
  currency: string;
  allocations: DispensedLot[];
}

/** What `dispense` did. */
export interface Dispensed {
  dispense: DispenseRow;
  allocations: DispensedLot[];
  /** 1 for the first fill. */
  fillNumber: number;
  /** Fills the prescription still allows after this one. */
  fillsLeft: number;
  /** Alerts this dispense raised (low stock). */
  alerts: StockAlert[];
}

interface PrescriptionLock {
  patient_id: string;
  drug_rxcui: string;
  status: string;
  quantity: number;
  refills: number;
  expired: boolean;
}

/**
 * Dispenses `quantity` units of a prescription's drug at a facility, in the
 * caller's transaction. Refusals, in this order: NOT_FOUND (no such
 * prescription); CONFLICT with `reason` PRESCRIPTION_NOT_ACTIVE,
 * PRESCRIPTION_EXPIRED (`at` not before `valid_until`), NO_FILLS_LEFT
 * (1 + refills fills made); BAD_USER_INPUT QUANTITY_EXCEEDS_PRESCRIPTION;
 * CONFLICT INSUFFICIENT_STOCK (the unexpired lots hold too few units).
 * Lots are drawn first-expiry-first-out; a lot expiring on or before the day
 * of `at` is never drawn.
 *
 * Concurrency: the prescription's row lock (FOR UPDATE) first, so its fills
 * are counted one dispense at a time; then the (facility, drug) stock lock
 * (`lockStocks`), then the candidate lots' row locks in id order. Every
 * writer takes them in that order, so none deadlocks, and the balances read
 * after the locks are the committed ones: racing dispenses take turns per
 * drug and facility and the last ones see the shortage. A single conditional
 * UPDATE would race less but cannot draw FEFO across several lots in one
 * step; the turn lasts a few statements. The `on_hand >= 0` CHECK and the
 * unique (prescription, fill) back both rules up.
 */
export async function dispense(em: EntityManager, input: DispenseInput): Promise<Dispensed> {
  if (!em.isInTransaction()) throw new Error('dispense runs inside the caller’s transaction');
  const id = requireUuid(input.dispenseId, 'dispenseId');
  const prescriptionId = requireUuid(input.prescriptionId, 'prescriptionId');
  const facilityId = requireFacilityId(input.facilityId);
  const quantity = requireUnits(input.quantity, 'quantity', 100_000);
  const by = requireActor(input.by);
  requirePrice(input.unitPriceMinor, input.currency);
  const at = input.at.toISOString();

  const [p] = await em.execute<PrescriptionLock[]>(
    `SELECT patient_id, drug_rxcui, status, quantity, refills, valid_until <= ?::timestamptz AS expired
       FROM ${SCHEMA}.prescription WHERE id = ? FOR UPDATE`,
    [at, prescriptionId],
  );
  if (!p) throw notFound('Prescription');
  if (p.status !== 'active')
    throw stockConflict('PRESCRIPTION_NOT_ACTIVE', 'The prescription is not active');
  if (p.expired) throw stockConflict('PRESCRIPTION_EXPIRED', 'The prescription is no longer valid');
  // Counted after the lock: every earlier fill of this prescription has committed.
  const [{ fills } = { fills: 0 }] = await em.execute<{ fills: number }[]>(
    `SELECT count(*)::int AS fills FROM ${SCHEMA}.dispense WHERE prescription_id = ?`,
    [prescriptionId],
  );
  const allowed = 1 + p.refills;
  if (fills >= allowed) throw stockConflict('NO_FILLS_LEFT', 'The prescription has no fills left');
  if (quantity > p.quantity)
    throw stockBadInput(
      'QUANTITY_EXCEEDS_PRESCRIPTION',
      'A fill is at most the quantity prescribed',
      'quantity',
    );

  const key = { facilityId, drugRxcui: p.drug_rxcui };
  await lockStocks(em, [key]);
  const day = dayOf(input.at);
  const lots = (
    await em.execute<LotDbRow[]>(
      `SELECT ${lotColumns} FROM ${SCHEMA}.stock_lot l
        WHERE l.facility_id = ? AND l.drug_rxcui = ? AND l.on_hand > 0 AND l.expires_on > ?::date
        ORDER BY l.id FOR UPDATE`,
      [facilityId, p.drug_rxcui, day],
    )
  ).map(toLot);
  const allocation = allocateFefo(lots, quantity, day);
  if (!allocation)
    throw stockConflict('INSUFFICIENT_STOCK', 'Not enough unexpired stock of this drug here');

  const fillNumber = fills + 1;
  await em.execute(
    `INSERT INTO ${SCHEMA}.dispense (id, prescription_id, patient_id, facility_id, drug_rxcui,
       quantity, fill_number, dispensed_at, dispensed_by, unit_price_minor, currency)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      prescriptionId,
      p.patient_id,
      facilityId,
      p.drug_rxcui,
      quantity,
      fillNumber,
      at,
      by,
      input.unitPriceMinor.toString(),
      input.currency,
    ],
  );
  await writeMovements(
    em,
    allocation.map((a) => ({
      lotId: a.lotId,
      kind: 'dispense' as const,
      delta: -a.quantity,
      dispenseId: id,
      at: input.at,
      by,
    })),
  );
  const alerts = await reviewStockAlerts(em, {
    keys: [key],
    at: input.at,
    nearExpiryDays: input.nearExpiryDays,
  });
  const byId = new Map(lots.map((l) => [l.id, l]));
  const allocations = allocation.map((a) => ({
    lotId: a.lotId,
    lotNumber: byId.get(a.lotId)!.lotNumber,
    expiresOn: byId.get(a.lotId)!.expiresOn,
    quantity: a.quantity,
  }));
  const row: DispenseRow = {
    id,
    prescriptionId,
    patientId: p.patient_id,
    facilityId,
    drugRxcui: p.drug_rxcui,
    quantity,
    fillNumber,
    dispensedAt: input.at,
    dispensedBy: by,
    unitPriceMinor: input.unitPriceMinor,
    currency: input.currency,
    allocations,
  };
  return { dispense: row, allocations, fillNumber, fillsLeft: allowed - fillNumber, alerts };
}

interface DispenseDbRow {
  id: string;
  prescription_id: string;
  patient_id: string;
  facility_id: string;
  drug_rxcui: string;
  quantity: number;
  fill_number: number;
  dispensed_at: string | Date;
  dispensed_by: string;
  unit_price_minor: string;
  currency: string;
  allocations: string | { lotId: string; lotNumber: string; expiresOn: string; quantity: number }[];
}

const dispenseSelect = `SELECT d.id, d.prescription_id, d.patient_id, d.facility_id, d.drug_rxcui,
    d.quantity, d.fill_number, d.dispensed_at, d.dispensed_by,
    d.unit_price_minor::text AS unit_price_minor, d.currency,
    (SELECT coalesce(json_agg(json_build_object('lotId', l.id, 'lotNumber', l.lot_number,
        'expiresOn', to_char(l.expires_on, 'YYYY-MM-DD'), 'quantity', -s.delta)
        ORDER BY l.expires_on, l.received_at, l.id), '[]')
       FROM ${SCHEMA}.stock_ledger s JOIN ${SCHEMA}.stock_lot l ON l.id = s.lot_id
      WHERE s.dispense_id = d.id) AS allocations
  FROM ${SCHEMA}.dispense d`;

function toDispense(r: DispenseDbRow): DispenseRow {
  return {
    id: r.id,
    prescriptionId: r.prescription_id,
    patientId: r.patient_id,
    facilityId: r.facility_id,
    drugRxcui: r.drug_rxcui,
    quantity: r.quantity,
    fillNumber: r.fill_number,
    dispensedAt: new Date(r.dispensed_at),
    dispensedBy: r.dispensed_by,
    unitPriceMinor: BigInt(r.unit_price_minor),
    currency: r.currency,
    allocations:
      typeof r.allocations === 'string'
        ? (JSON.parse(r.allocations) as DispensedLot[])
        : r.allocations,
  };
}

/**
 * The dispenses of many prescriptions in one statement (for a DataLoader),
 * each prescription's in fill order, with their allocations; an empty list
 * for a prescription without any.
 */
export async function dispensesOf(
  em: EntityManager,
  prescriptionIds: readonly string[],
): Promise<Map<string, DispenseRow[]>> {
  const out = new Map<string, DispenseRow[]>(prescriptionIds.map((id) => [id, []]));
  if (!prescriptionIds.length) return out;
  const rows = await em.execute<DispenseDbRow[]>(
    `${dispenseSelect}
      WHERE d.prescription_id IN (SELECT json_array_elements_text(?::json)::uuid)
      ORDER BY d.prescription_id, d.fill_number`,
    [JSON.stringify(prescriptionIds)],
  );
  for (const r of rows) out.get(r.prescription_id)?.push(toDispense(r));
  return out;
}

/**
 * What a committed dispense did, read back (the answer to an idempotent
 * replay: the same dispense, its fill and the fills left now; no alerts).
 */
export async function dispenseOutcome(em: EntityManager, dispenseId: string): Promise<Dispensed> {
  const [r] = await em.execute<(DispenseDbRow & { refills: number })[]>(
    `SELECT x.*, p.refills FROM (${dispenseSelect} WHERE d.id = ?) x
       JOIN ${SCHEMA}.prescription p ON p.id = x.prescription_id`,
    [dispenseId],
  );
  if (!r) throw notFound('Dispense');
  const [{ fills } = { fills: 0 }] = await em.execute<{ fills: number }[]>(
    `SELECT count(*)::int AS fills FROM ${SCHEMA}.dispense WHERE prescription_id = ?`,
    [r.prescription_id],
  );
  const d = toDispense(r);
  return {
    dispense: d,
    allocations: d.allocations,
    fillNumber: d.fillNumber,
    fillsLeft: Math.max(0, 1 + r.refills - fills),
    alerts: [],
  };
}

/** The `pharmacy.dispensed` data of a dispense: what was given out and its price, never why. */
export function dispensedEventData(d: DispenseRow): PharmacyDispensedData {
  return {
    dispenseId: d.id,
    prescriptionId: d.prescriptionId,
    patientId: d.patientId,
    facilityId: d.facilityId,
    drugRxcui: d.drugRxcui,
    quantity: d.quantity,
    unitPriceMinor: d.unitPriceMinor.toString(),
    currency: d.currency,
    dispensedAt: d.dispensedAt.toISOString(),
  };
}

/**
 * Publishes `pharmacy.dispensed` through pharmacy's outbox in the dispense's
 * transaction (`auditedWrite`'s publish step). The event id is the dispense
 * id, so publishing again adds nothing, and billing charges it once.
 */
export function publishDispensed(
  em: EntityManager,
  d: DispenseRow,
  consumers: readonly string[] = consumersOf(PHARMACY_DISPENSED.type),
): Promise<EventEnvelope<PharmacyDispensedData>> {
  return publish(em, SCHEMA, PHARMACY_DISPENSED, dispensedEventData(d), consumers, {
    id: d.id,
    occurredAt: d.dispensedAt,
  });
}

/** `publishDispensed` as parts of `auditedWrite`'s final statement. */
export function publishDispensedInBatch(
  batch: StatementBatch,
  d: DispenseRow,
  consumers: readonly string[] = consumersOf(PHARMACY_DISPENSED.type),
): string {
  return publishInBatch(batch, SCHEMA, PHARMACY_DISPENSED, dispensedEventData(d), consumers, {
    id: d.id,
    occurredAt: d.dispensedAt,
  });
}

/** Dispenses by id (one statement), with their allocations, in no order. */
export async function dispensesById(
  em: EntityManager,
  ids: readonly string[],
): Promise<DispenseRow[]> {
  if (!ids.length) return [];
  const rows = await em.execute<DispenseDbRow[]>(
    `${dispenseSelect} WHERE d.id IN (SELECT json_array_elements_text(?::json)::uuid)`,
    [JSON.stringify(ids)],
  );
  return rows.map(toDispense);
}
