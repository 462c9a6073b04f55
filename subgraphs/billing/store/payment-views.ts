import type { EntityManager } from '@mikro-orm/postgresql';
import { requireUuid } from '../../../platform/federation/ids.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import { money, type Money } from '../domain/money.js';
import { decodeKeyset, emptyPage, instantKey, keysetCursor, type Page } from './keyset.js';
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

type PaymentViewRow = PaymentRow & { refunded_minor: string; created_key: string };

const viewColumns = `${paymentColumns}, ${refundedSql('p')}::text AS refunded_minor,
  ${instantKey('p.created_at')} AS created_key`;

const toView = (r: PaymentViewRow): PaymentView => ({
  ...toPayment(r),
  refunded: money(r.refunded_minor, r.currency),
});

const CURSOR_KIND = 'payment';

/** Checks `after` of `paymentsPage` (BAD_USER_INPUT 'after' unless one of its cursors). */
export const checkPaymentCursor = (after: string | null | undefined): void => {
  decodeKeyset(CURSOR_KIND, after);
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
  const size = pageSize(first);
  const cursor = decodeKeyset(CURSOR_KIND, after);
  const pages = new Map<string, Page<PaymentView>>(
    patientIds.map((id) => [id, emptyPage<PaymentView>()]),
  );
  if (!patientIds.length) return pages;
  for (const id of patientIds) requireUuid(id, 'patientIds');
  const where = ['q.patient_id IN (SELECT json_array_elements_text(?::json)::uuid)'];
  const params: unknown[] = [JSON.stringify(patientIds)];
  if (cursor) {
    where.push('(q.created_at, q.id) < (?::timestamptz, ?::uuid)');
    params.push(cursor.at, cursor.id);
  }
  const rows = await em.execute<PaymentViewRow[]>(
    `SELECT ${viewColumns} FROM (
       SELECT q.*, row_number() OVER (
           PARTITION BY q.patient_id ORDER BY q.created_at DESC, q.id DESC) AS rn
       FROM ${SCHEMA}.payment q WHERE ${where.join(' AND ')}
     ) p WHERE p.rn <= ? ORDER BY p.patient_id, p.rn`,
    [...params, size + 1],
  );
  for (const r of rows) {
    const page = pages.get(r.patient_id);
    if (!page) continue;
    if (page.edges.length < size)
      page.edges.push({ cursor: keysetCursor(CURSOR_KIND, r.created_key, r.id), node: toView(r) });
    else page.hasNextPage = true;
  }
  return pages;
}
