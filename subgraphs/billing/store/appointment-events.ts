import type { EntityManager } from '@mikro-orm/postgresql';
import { parseEvent } from '../../../platform/events/contract.js';
import type { EventEnvelope } from '../../../platform/events/envelope.js';
import {
  appointmentContract,
  type AppointmentEventData,
} from '../../contracts/appointment-events.js';
import { chargesFor, ratedCodes, type BillingPolicy } from '../domain/charge-policy.js';
import { money, type Money } from '../domain/money.js';
import { chargesByAppointment, recordCharge } from './charges.js';
import { reverseEntry, SCHEMA } from './ledger.js';

/** Who billing's automatic charges and reversals are recorded as. */
export const BILLING_SYSTEM = 'system:billing';

/**
 * The appointment an event describes, parsed against scheduling's contract
 * (subgraphs/contracts). A malformed event throws naming the event and the
 * bad fields, never their values (the worker retries it, then leaves it
 * failed for an operator).
 */
export function parseAppointmentEvent(event: EventEnvelope): AppointmentEventData {
  const contract = appointmentContract(event.type);
  if (!contract) throw new Error(`Event ${event.id} is not an appointment event`);
  return parseEvent(contract, event);
}

/** What applying one event did. */
export interface AppointmentEventOutcome {
  /** Whose account the event touched. */
  patientId: string;
  /** False when billing already knew this version or a newer one: nothing changed. */
  applied: boolean;
  /** Charges created by this event. */
  charged: string[];
  /** Ledger entries of charges this event reversed. */
  reversed: string[];
}

/** Rates of `codes` in the fee schedule: null for a code without a rate; absent codes are missing. */
async function feeRates(
  em: EntityManager,
  codes: readonly string[],
): Promise<Map<string, Money | null>> {
  if (!codes.length) return new Map();
  const rows = await em.execute<{ code: string; rate_minor: string | null; currency: string }[]>(
    `SELECT code, rate_minor::text AS rate_minor, currency FROM ${SCHEMA}.fee_schedule
     WHERE code IN (SELECT json_array_elements_text(?::json))`,
    [JSON.stringify(codes)],
  );
  return new Map(rows.map((r) => [r.code, r.rate_minor ? money(r.rate_minor, r.currency) : null]));
}

/**
 * Applies one appointment event to billing (the `billing:appointments`
 * handler). Events may come twice or out of order, so the appointment's
 * state is kept by version: an event not newer than the stored version
 * changes nothing. The newest state then decides the charges: a fulfilled
 * appointment is charged its policy's visit codes at the fee schedule's rate,
 * a no-show the policy's fee; a charge the newest state does not call for
 * (a completion superseded by a cancellation, say) is reversed. Charges are
 * created once per appointment and code (`recordCharge`), reversals once per
 * entry (`reverseEntry`).
 *
 * Runs in one transaction (a savepoint inside the caller's). Concurrent
 * events of one appointment take turns on its state row, so the later version
 * always sees the earlier one's charges.
 */
export async function applyAppointmentEvent(
  em: EntityManager,
  event: EventEnvelope,
  policy: BillingPolicy,
): Promise<AppointmentEventOutcome> {
  const a = parseAppointmentEvent(event);
  return em.transactional(async (tem) => {
    const newer = await tem.execute<{ version: number }[]>(
      `INSERT INTO ${SCHEMA}.appointment_state
         (appointment_id, patient_id, practitioner_id, status, version, starts_at)
       VALUES (?, ?, ?, ?, ?, ?::timestamptz)
       ON CONFLICT (appointment_id) DO UPDATE SET patient_id = EXCLUDED.patient_id,
         practitioner_id = EXCLUDED.practitioner_id, status = EXCLUDED.status,
         version = EXCLUDED.version, starts_at = EXCLUDED.starts_at, updated_at = now()
       WHERE appointment_state.version < EXCLUDED.version
       RETURNING version`,
      [a.appointmentId, a.patientId, a.practitionerId, a.status, a.version, a.start],
    );
    const outcome: AppointmentEventOutcome = {
      patientId: a.patientId,
      applied: newer.length > 0,
      charged: [],
      reversed: [],
    };
    if (!outcome.applied) return outcome;

    const rates = await feeRates(tem, ratedCodes(a.status, policy));
    const planned = chargesFor(a.status, policy, (code) => rates.get(code));
    const existing = await chargesByAppointment(tem, [a.appointmentId]);
    for (const p of planned) {
      const prior = existing.find((c) => c.code === p.code);
      // A charge is unique per appointment and code: once reversed it cannot be billed again.
      if (prior?.reversed)
        throw new Error(
          `Appointment ${a.appointmentId} calls for code ${p.code} again after its charge was reversed`,
        );
      if (prior) continue;
      const r = await recordCharge(tem, {
        appointmentId: a.appointmentId,
        patientId: a.patientId,
        code: p.code,
        kind: p.kind,
        units: p.units,
        unitFee: p.unitFee,
        createdBy: BILLING_SYSTEM,
      });
      if (r.created) outcome.charged.push(r.chargeId);
    }
    const wanted = new Set(planned.map((p) => p.code));
    for (const c of existing) {
      if (c.reversed || wanted.has(c.code)) continue;
      await reverseEntry(tem, c.ledgerEntryId, BILLING_SYSTEM, {
        type: 'appointment',
        id: a.appointmentId,
      });
      outcome.reversed.push(c.ledgerEntryId);
    }
    return outcome;
  });
}
