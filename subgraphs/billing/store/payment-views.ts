import type { EntityManager } from '@mikro-orm/postgresql';
import { requireUuid } from '../../../platform/federation/ids.js';
import { money, type Money } from '../domain/money.js';
import {
  collectPages,
  decodeKeyset,
  windowedPage,
  type Page,
  type WindowSpec,
} from '../../../platform/federation/keyset.js';
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

type PaymentViewRow = PaymentRow & { refunded_minor: string };

const viewColumns = `${paymentColumns}, ${refundedSql('p')}::text AS refunded_minor`;

const toView = (r: PaymentViewRow): PaymentView => ({
  ...toPayment(r),
  refunded: money(r.refunded_minor, r.currency),
});

/** A patient's payments, newest first (by time taken, then id). */
const PAYMENTS: WindowSpec = {
  kind: 'payment',
  from: `${SCHEMA}.payment q`,
  owner: 'q.patient_id',
  at: 'q.created_at',
  id: 'q.id',
  order: 'desc',
  select: 'q.*',
};

/** Checks `after` of `paymentsPage` (BAD_USER_INPUT 'after' unless one of its cursors). */
export const checkPaymentCursor = (after: string | null | undefined): void => {
  decodeKeyset(PAYMENTS.kind, after);
};

/** One payment with its refunded total (null when there is none). */
export async function paymentView(
  em: EntityManager,
  paymentId: string,
): Promise<PaymentView | null> {
  const [r] = await em.execute<PaymentViewRow[]>(
    `SELECT ${viewColumns} FROM ${SCHEMA}.payment p WHERE p.id = ?`,
    [requireUuid(paymentId, 'paymentId')],
  );
  return r ? toView(r) : null;
}

/**
 * The payments of many patients, newest first (by time taken, then id),
 * `first` per patient after the cursor, each with its refunded total: one
 * windowed SQL statement for all of them.
 */
export async function paymentsPage(
  em: EntityManager,
  patientIds: readonly string[],
  first: number,
  after?: string | null,
): Promise<Map<string, Page<PaymentView>>> {
  const window = windowedPage(PAYMENTS, patientIds, first, after);
  const rows = patientIds.length
    ? await em.execute<(PaymentViewRow & { sort_key: string })[]>(
        `SELECT ${viewColumns}, p.sort_key FROM (${window.sql}) p
         WHERE p.rn <= ? ORDER BY p.patient_id, p.rn`,
        [...window.params, window.limit],
      )
    : [];
  return collectPages(
    PAYMENTS,
    window,
    patientIds,
    rows,
    (r) => r.patient_id,
    (r) => r.id,
    toView,
  );
}
