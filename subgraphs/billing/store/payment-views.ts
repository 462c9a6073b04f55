import type { EntityManager } from '@mikro-orm/postgresql';
import { requireUuid } from '../../../platform/federation/ids.js';
import { money, type Money } from '../domain/money.js';
import { SCHEMA } from './ledger.js';
import { paymentColumns, toPayment, type Payment, type PaymentRow } from './payments.js';

/** A payment with how much of it has been handed back. */
export interface PaymentView extends Payment {
  /** Sum of the payment's refunds whose entries are not reversed (zero when none). */
  refunded: Money;
}

/**
 * SQL for what is refunded of payment `alias` (minor units, bigint): a
 * refund whose entry was reversed handed nothing back, so it does not count.
 */
export const refundedSql = (alias: string): string => `COALESCE((
    SELECT SUM(rf.amount_minor) FROM ${SCHEMA}.refund rf
    WHERE rf.payment_id = ${alias}.id AND NOT EXISTS (
      SELECT 1 FROM ${SCHEMA}.ledger_entry rv WHERE rv.reverses_entry_id = rf.ledger_entry_id)
  ), 0)`;

/** The payments of many patients in one statement, newest first, each with its refunded total. */
export async function paymentsOf(
  em: EntityManager,
  patientIds: readonly string[],
): Promise<Map<string, PaymentView[]>> {
  const byPatient = new Map<string, PaymentView[]>(patientIds.map((id) => [id, []]));
  if (!patientIds.length) return byPatient;
  for (const id of patientIds) requireUuid(id, 'patientIds');
  const rows = await em.execute<(PaymentRow & { refunded_minor: string })[]>(
    `SELECT ${paymentColumns}, ${refundedSql('p')}::text AS refunded_minor
     FROM ${SCHEMA}.payment p
     WHERE p.patient_id IN (SELECT json_array_elements_text(?::json)::uuid)
     ORDER BY p.created_at DESC, p.id DESC`,
    [JSON.stringify(patientIds)],
  );
  for (const r of rows) {
    const view = { ...toPayment(r), refunded: money(r.refunded_minor, r.currency) };
    byPatient.get(r.patient_id)?.push(view);
  }
  return byPatient;
}
