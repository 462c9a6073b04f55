import type { EntityManager } from '@mikro-orm/postgresql';
import { parseEvent } from '../../../platform/events/contract.js';
import type { EventEnvelope } from '../../../platform/events/envelope.js';
import { PHARMACY_DISPENSED, type PharmacyDispensedData } from '../../contracts/pharmacy-events.js';
import type { BillingPolicy } from '../domain/charge-policy.js';
import { stableId } from '../domain/ids.js';
import { money, type Money } from '../domain/money.js';
import { BILLING_SYSTEM } from './appointment-events.js';
import { SCHEMA } from './ledger.js';

/** What applying one `pharmacy.dispensed` event did. */
export interface DispenseEventOutcome {
  /** Whose account the event touched. */
  patientId: string;
  /** The charge created by this delivery (empty on a redelivery or a zero price). */
  charged: string[];
}

/**
 * Charges one dispense to the patient's account (the `billing:dispenses`
 * handler): quantity × the unit price the event carries (pharmacy prices it
 * from its catalogue), once per dispense however often or however
 * concurrently the event is delivered: the `dispense_charge` row is claimed
 * first (unique per dispense; a concurrent duplicate waits for the first to
 * commit, then does nothing) and only a new charge posts its ledger debit,
 * caused by the dispense. A dispense priced at zero charges nothing. A price
 * in another currency than the accounts' fails loudly (the worker retries,
 * then leaves it for an operator), as an unpriced visit code does.
 */
export async function applyDispenseEvent(
  em: EntityManager,
  event: EventEnvelope,
  policy: Pick<BillingPolicy, 'currency'>,
): Promise<DispenseEventOutcome> {
  const d = parseEvent(PHARMACY_DISPENSED, event);
  if (d.currency !== policy.currency)
    throw new Error(
      `Event ${event.id}: accounts are kept in ${policy.currency}, not ${d.currency}`,
    );
  const outcome: DispenseEventOutcome = { patientId: d.patientId, charged: [] };
  if (BigInt(d.unitPriceMinor) === 0n) return outcome;
  return em.transactional(async (tem) => {
    const r = await recordDispenseCharge(tem, d, BILLING_SYSTEM);
    if (r.created) outcome.charged.push(r.chargeId);
    return outcome;
  });
}

/**
 * Bills a dispense once, in the caller's transaction. Ids derive from the
 * dispense id, so a replay finds the same rows; the ledger entry is posted
 * only by the delivery that created the charge.
 */
export async function recordDispenseCharge(
  em: EntityManager,
  d: PharmacyDispensedData,
  createdBy: string,
): Promise<{ chargeId: string; ledgerEntryId: string; created: boolean }> {
  if (!em.isInTransaction())
    throw new Error('recordDispenseCharge runs inside the caller’s transaction');
  const id = stableId('dispense-charge', d.dispenseId);
  const entryId = stableId('dispense-charge-entry', d.dispenseId);
  const unit = BigInt(d.unitPriceMinor);
  if (unit <= 0n) throw new RangeError('A dispense charge is positive');
  const amount = (unit * BigInt(d.quantity)).toString();
  const inserted = await em.execute<{ id: string }[]>(
    `INSERT INTO ${SCHEMA}.dispense_charge (id, dispense_id, prescription_id, patient_id,
       facility_id, drug_rxcui, quantity, unit_price_minor, amount_minor, currency, dispensed_at,
       ledger_entry_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING RETURNING id`,
    [
      id,
      d.dispenseId,
      d.prescriptionId,
      d.patientId,
      d.facilityId,
      d.drugRxcui,
      d.quantity,
      d.unitPriceMinor,
      amount,
      d.currency,
      d.dispensedAt,
      entryId,
      createdBy,
    ],
  );
  if (!inserted.length) return { chargeId: id, ledgerEntryId: entryId, created: false };
  // Posted directly: the ledger's domain rules (domain/ledger.ts) know appointment charges only.
  await em.execute(
    `INSERT INTO ${SCHEMA}.ledger_entry (id, account_patient_id, amount_minor, currency, kind,
       cause_type, cause_id, created_by) VALUES (?, ?, ?, ?, 'charge', 'dispense', ?, ?)`,
    [entryId, d.patientId, amount, d.currency, d.dispenseId, createdBy],
  );
  return { chargeId: id, ledgerEntryId: entryId, created: true };
}

/** A dispense's charge as read back, with whether its debit has been reversed. */
export interface DispenseChargeRow {
  id: string;
  dispenseId: string;
  prescriptionId: string;
  patientId: string;
  facilityId: string;
  drugRxcui: string;
  quantity: number;
  unitPrice: Money;
  amount: Money;
  dispensedAt: Date;
  ledgerEntryId: string;
  reversed: boolean;
  createdAt: Date;
}

interface DispenseChargeDbRow {
  id: string;
  dispense_id: string;
  prescription_id: string;
  patient_id: string;
  facility_id: string;
  drug_rxcui: string;
  quantity: number;
  unit_price_minor: string;
  amount_minor: string;
  currency: string;
  dispensed_at: string | Date;
  ledger_entry_id: string;
  reversed: boolean;
  created_at: string | Date;
}

/** The charges of many dispenses in one statement (absent: not charged, or not yet). */
export async function dispenseChargesOf(
  em: EntityManager,
  dispenseIds: readonly string[],
): Promise<Map<string, DispenseChargeRow>> {
  if (!dispenseIds.length) return new Map();
  const rows = await em.execute<DispenseChargeDbRow[]>(
    `SELECT c.id, c.dispense_id, c.prescription_id, c.patient_id, c.facility_id, c.drug_rxcui,
       c.quantity, c.unit_price_minor::text AS unit_price_minor, c.amount_minor::text AS amount_minor,
       c.currency, c.dispensed_at, c.ledger_entry_id, c.created_at,
       EXISTS (SELECT 1 FROM ${SCHEMA}.ledger_entry r WHERE r.reverses_entry_id = c.ledger_entry_id)
         AS reversed
     FROM ${SCHEMA}.dispense_charge c
     WHERE c.dispense_id IN (SELECT json_array_elements_text(?::json)::uuid)`,
    [JSON.stringify(dispenseIds)],
  );
  return new Map(
    rows.map((r) => [
      r.dispense_id,
      {
        id: r.id,
        dispenseId: r.dispense_id,
        prescriptionId: r.prescription_id,
        patientId: r.patient_id,
        facilityId: r.facility_id,
        drugRxcui: r.drug_rxcui,
        quantity: r.quantity,
        unitPrice: money(r.unit_price_minor, r.currency),
        amount: money(r.amount_minor, r.currency),
        dispensedAt: new Date(r.dispensed_at),
        ledgerEntryId: r.ledger_entry_id,
        reversed: r.reversed,
        createdAt: new Date(r.created_at),
      },
    ]),
  );
}
