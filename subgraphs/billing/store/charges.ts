import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors/index.js';
import { stableId } from '../domain/ids.js';
import { money, type Money } from '../domain/money.js';
import { postEntries, SCHEMA } from './ledger.js';

export interface NewCharge {
  appointmentId: string;
  patientId: string;
  /** HCPCS Level II code, e.g. G0463; `NO-SHOW` for a no-show fee. */
  code: string;
  /** Default `service`. */
  kind?: ChargeKind;
  units: number;
  unitFee: Money;
  createdBy: string;
}

/**
 * Bills `code` for an appointment once, in the caller's transaction: the
 * charge row is claimed first (unique per appointment and code; a concurrent
 * duplicate waits, then does nothing) and only a new charge posts its debit.
 * A redelivered event therefore changes nothing, whatever fee it carries.
 */
export async function recordCharge(
  em: EntityManager,
  c: NewCharge,
): Promise<{ chargeId: string; ledgerEntryId: string; created: boolean }> {
  if (!em.isInTransaction()) throw new Error('recordCharge runs inside the caller’s transaction');
  if (!Number.isInteger(c.units) || c.units < 1 || c.units > 999)
    throw badInput('Units are a whole number from 1 to 999', 'units');
  if (c.unitFee.amountMinor <= 0n) throw badInput('A fee is positive', 'unitFee');
  const id = stableId('charge', c.appointmentId, c.code);
  const entryId = stableId('charge-entry', c.appointmentId, c.code);
  const amount = c.unitFee.amountMinor * BigInt(c.units);
  const inserted = await em.execute<{ id: string }[]>(
    `INSERT INTO ${SCHEMA}.charge (id, appointment_id, patient_id, code, kind, units, unit_fee_minor,
       amount_minor, currency, ledger_entry_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (appointment_id, code) DO NOTHING RETURNING id`,
    [
      id,
      c.appointmentId,
      c.patientId,
      c.code,
      c.kind ?? 'service',
      c.units,
      c.unitFee.amountMinor.toString(),
      amount.toString(),
      c.unitFee.currency,
      entryId,
      c.createdBy,
    ],
  );
  if (!inserted.length) return { chargeId: id, ledgerEntryId: entryId, created: false };
  await postEntries(em, [
    {
      id: entryId,
      patientId: c.patientId,
      amount: { amountMinor: amount, currency: c.unitFee.currency },
      kind: 'charge',
      cause: { type: 'appointment', id: c.appointmentId },
      createdBy: c.createdBy,
    },
  ]);
  return { chargeId: id, ledgerEntryId: entryId, created: true };
}

export type ChargeKind = 'service' | 'no-show-fee';

/** A charge as read back, with whether its debit has been reversed. */
export interface ChargeRow {
  id: string;
  appointmentId: string;
  patientId: string;
  code: string;
  kind: ChargeKind;
  /** The fee schedule's short descriptor (null for a no-show fee or an unknown code). */
  description: string | null;
  units: number;
  unitFee: Money;
  amount: Money;
  ledgerEntryId: string;
  reversed: boolean;
  createdAt: Date;
}

interface ChargeDbRow {
  id: string;
  appointment_id: string;
  patient_id: string;
  code: string;
  kind: ChargeKind;
  description: string | null;
  units: number;
  unit_fee_minor: string;
  amount_minor: string;
  currency: string;
  ledger_entry_id: string;
  reversed: boolean;
  created_at: Date | string;
}

/** Columns of `ChargeRow` for a query over `charge c` (joins the fee schedule and reversals). */
export const chargeSelect = `SELECT c.id, c.appointment_id, c.patient_id, c.code, c.kind, f.description, c.units,
    c.unit_fee_minor::text AS unit_fee_minor, c.amount_minor::text AS amount_minor, c.currency,
    c.ledger_entry_id, c.created_at,
    EXISTS (SELECT 1 FROM ${SCHEMA}.ledger_entry r WHERE r.reverses_entry_id = c.ledger_entry_id) AS reversed
  FROM ${SCHEMA}.charge c LEFT JOIN ${SCHEMA}.fee_schedule f ON f.code = c.code`;

/** A charge from its row (as selected by `chargeSelect`). */
export function toCharge(r: ChargeDbRow): ChargeRow {
  return {
    id: r.id,
    appointmentId: r.appointment_id,
    patientId: r.patient_id,
    code: r.code,
    kind: r.kind,
    description: r.description,
    units: r.units,
    unitFee: money(r.unit_fee_minor, r.currency),
    amount: money(r.amount_minor, r.currency),
    ledgerEntryId: r.ledger_entry_id,
    reversed: r.reversed,
    // node-postgres returns timestamptz as text when read through em.execute.
    createdAt: new Date(r.created_at),
  };
}

/** Charges selected by `where` (SQL over `c`, with `?` params), oldest first. */
export async function selectCharges(
  em: EntityManager,
  where: string,
  params: unknown[],
): Promise<ChargeRow[]> {
  const rows = await em.execute<ChargeDbRow[]>(
    `${chargeSelect} WHERE ${where} ORDER BY c.created_at, c.code`,
    params,
  );
  return rows.map(toCharge);
}

/** The charges of many appointments in one statement. */
export async function chargesByAppointment(
  em: EntityManager,
  appointmentIds: readonly string[],
): Promise<ChargeRow[]> {
  if (!appointmentIds.length) return [];
  return selectCharges(em, 'c.appointment_id IN (SELECT json_array_elements_text(?::json)::uuid)', [
    JSON.stringify(appointmentIds),
  ]);
}
