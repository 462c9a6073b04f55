import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors/index.js';
import { stableId } from '../domain/ids.js';
import type { Money } from '../domain/money.js';
import { postEntries, SCHEMA } from './ledger.js';

export interface NewCharge {
  appointmentId: string;
  patientId: string;
  /** HCPCS Level II code, e.g. G0463. */
  code: string;
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
    `INSERT INTO ${SCHEMA}.charge (id, appointment_id, patient_id, code, units, unit_fee_minor,
       amount_minor, currency, ledger_entry_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (appointment_id, code) DO NOTHING RETURNING id`,
    [
      id,
      c.appointmentId,
      c.patientId,
      c.code,
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
