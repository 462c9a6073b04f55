import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, notFound } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { money, parseCurrency, toDecimalString, type Money } from '../domain/money.js';
import { runOnce } from '../../../platform/db/idempotency.js';
import { postEntries, SCHEMA } from './ledger.js';
import { refundedSql } from './payment-views.js';

export interface RefundPayment {
  paymentId: string;
  /** Positive, in the payment's currency. */
  amount: Money;
  /** Why the money goes back (1–500 characters; shown to billing staff only). */
  reason: string;
  idempotencyKey: string;
  /** The caller (principal `sub`). */
  by: string;
}

export interface RefundRow {
  id: string;
  paymentId: string;
  patientId: string;
  amount: Money;
  reason: string;
  ledgerEntryId: string;
  createdAt: Date;
  createdBy: string;
}

interface RefundDbRow {
  id: string;
  payment_id: string;
  patient_id: string;
  amount_minor: string;
  currency: string;
  reason: string;
  ledger_entry_id: string;
  /** timestamptz: raw queries return it as text. */
  created_at: string;
  created_by: string;
}

const OPERATION = 'refundPayment';
export const MAX_REASON = 500;

/** A trimmed reason of 1..MAX_REASON characters, or BAD_USER_INPUT (the text is never echoed). */
export function requireReason(reason: unknown): string {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (!text) throw badInput('Give a reason', 'reason');
  if (text.length > MAX_REASON)
    throw badInput(`A reason is at most ${MAX_REASON} characters`, 'reason');
  return text;
}

/** An amount of whole minor units in an accepted currency, or BAD_USER_INPUT on `field`. */
export function requireMoney(amount: Money, field = 'amount'): Money {
  if (typeof amount?.amountMinor !== 'bigint')
    throw badInput('An amount is a whole number of minor units', field);
  try {
    return { amountMinor: amount.amountMinor, currency: parseCurrency(amount.currency) };
  } catch {
    throw badInput('Unsupported currency', field);
  }
}

async function loadRefund(em: EntityManager, id: string): Promise<RefundRow> {
  const [r] = await em.execute<RefundDbRow[]>(
    `SELECT id, payment_id, patient_id, amount_minor::text AS amount_minor, currency, reason,
       ledger_entry_id, created_at, created_by FROM ${SCHEMA}.refund WHERE id = ?`,
    [id],
  );
  if (!r) throw new Error('Idempotency key points to a missing refund');
  return {
    id: r.id,
    paymentId: r.payment_id,
    patientId: r.patient_id,
    amount: money(r.amount_minor, r.currency),
    reason: r.reason,
    ledgerEntryId: r.ledger_entry_id,
    createdAt: new Date(r.created_at),
    createdBy: r.created_by,
  };
}

/**
 * Hands back part or all of a payment, once per (caller, idempotency key).
 * The payment row is locked first, so concurrent refunds of one payment run
 * one after another and together never exceed it: what is refundable is the
 * payment less its refunds (a reversed refund no longer counts; a reversed
 * payment has nothing refundable). Posts a `refund` debit caused by the
 * payment, in the caller's transaction.
 */
export async function refundPayment(
  em: EntityManager,
  input: RefundPayment,
): Promise<{ refund: RefundRow; replayed: boolean }> {
  const paymentId = requireUuid(input.paymentId, 'paymentId');
  const amount = requireMoney(input.amount);
  if (amount.amountMinor <= 0n) throw badInput('A refund is a positive amount', 'amount');
  const reason = requireReason(input.reason);
  const { id, replayed } = await runOnce(
    em,
    SCHEMA,
    {
      by: input.by,
      key: input.idempotencyKey,
      operation: OPERATION,
      request: {
        paymentId,
        amountMinor: amount.amountMinor.toString(),
        currency: amount.currency,
        reason,
      },
    },
    async (tem) => {
      // An advisory lock, not a row lock: payments are append-only (no UPDATE privilege).
      await tem.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [
        `billing-payment:${paymentId}`,
      ]);
      const [p] = await tem.execute<{ patient_id: string; currency: string }[]>(
        `SELECT patient_id, currency FROM ${SCHEMA}.payment WHERE id = ?`,
        [paymentId],
      );
      if (!p) throw notFound('Payment');
      if (p.currency !== amount.currency)
        throw badInput(`A refund is in the currency of its payment (${p.currency})`, 'amount');
      // A statement of its own, after the lock: its snapshot sees refunds committed while we waited.
      const [r] = await tem.execute<{ refundable_minor: string }[]>(
        `SELECT CASE WHEN EXISTS (SELECT 1 FROM ${SCHEMA}.ledger_entry rv
                                  WHERE rv.reverses_entry_id = p.ledger_entry_id) THEN 0
                     ELSE p.amount_minor - ${refundedSql('p')} END::text AS refundable_minor
         FROM ${SCHEMA}.payment p WHERE p.id = ?`,
        [paymentId],
      );
      const refundable = money(r?.refundable_minor ?? '0', p.currency);
      if (amount.amountMinor > refundable.amountMinor)
        throw badInput(
          `At most ${toDecimalString(refundable)} ${refundable.currency} of this payment can be refunded`,
          'amount',
        );
      const refundId = randomUUID();
      const entryId = randomUUID();
      await tem.execute(
        `INSERT INTO ${SCHEMA}.refund (id, payment_id, patient_id, amount_minor, currency, reason,
           ledger_entry_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          refundId,
          paymentId,
          p.patient_id,
          amount.amountMinor.toString(),
          amount.currency,
          reason,
          entryId,
          input.by,
        ],
      );
      await postEntries(tem, [
        {
          id: entryId,
          patientId: p.patient_id,
          amount,
          kind: 'refund',
          cause: { type: 'payment', id: paymentId },
          createdBy: input.by,
        },
      ]);
      return refundId;
    },
  );
  return { refund: await loadRefund(em, id), replayed };
}
