import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors/index.js';
import type { Principal } from '../../../platform/identity/principal.js';
import type { PaymentSource } from '../entities/payment.js';
import { money, type Money } from '../domain/money.js';
import { runOnce } from '../../../platform/db/idempotency.js';
import { postEntries, SCHEMA } from './ledger.js';

export interface TakePayment {
  patientId: string;
  amountMinor: bigint;
  currency: string;
  idempotencyKey: string;
  principal: Principal;
  /** Default `patient`; a payer payment names the payer and posts an insurance payment. */
  source?: PaymentSource;
  /** How staff received it (default `cash`); a provider's payment is posted by `payment-intents.ts`. */
  method?: StaffPaymentMethod;
  payerId?: string;
}

/** How staff received money at the desk or by post. */
export type StaffPaymentMethod = 'cash' | 'cheque' | 'card-terminal';
/** How a payment came: staff-entered, a payment provider's confirmed intent, or before methods were kept. */
export type PaymentMethod = StaffPaymentMethod | 'provider' | 'unrecorded';
export const STAFF_PAYMENT_METHODS: readonly StaffPaymentMethod[] = [
  'cash',
  'cheque',
  'card-terminal',
];

/** Largest payment staff may enter at once, in minor units (1,000,000.00 in a two-decimal currency). */
export const MAX_STAFF_PAYMENT_MINOR = 100_000_000n;

export interface Payment {
  id: string;
  patientId: string;
  source: PaymentSource;
  method: PaymentMethod;
  /** The payment intent a provider confirmed, for `provider` payments. */
  intentId: string | null;
  payerId: string | null;
  amount: Money;
  ledgerEntryId: string;
  createdAt: Date;
  createdBy: string;
}

/** A payment row as raw SQL returns it (`paymentColumns` over `payment p`). */
export interface PaymentRow {
  id: string;
  patient_id: string;
  source: PaymentSource;
  method: PaymentMethod;
  intent_id: string | null;
  payer_id: string | null;
  amount_minor: string;
  currency: string;
  ledger_entry_id: string;
  /** timestamptz: raw queries return it as text. */
  created_at: string;
  created_by: string;
}

/** Columns of `PaymentRow` for a query over `payment p` (bigint read as text). */
export const paymentColumns = `p.id, p.patient_id, p.source, p.method, p.intent_id, p.payer_id, p.amount_minor::text AS amount_minor,
  p.currency, p.ledger_entry_id, p.created_at, p.created_by`;

/** A payment from its row. */
export function toPayment(r: PaymentRow): Payment {
  return {
    id: r.id,
    patientId: r.patient_id,
    source: r.source,
    method: r.method,
    intentId: r.intent_id,
    payerId: r.payer_id,
    amount: money(r.amount_minor, r.currency),
    ledgerEntryId: r.ledger_entry_id,
    createdAt: new Date(r.created_at),
    createdBy: r.created_by,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OPERATION = 'takePayment';

async function loadPayment(em: EntityManager, id: string): Promise<Payment> {
  const [r] = await em.execute<PaymentRow[]>(
    `SELECT ${paymentColumns} FROM ${SCHEMA}.payment p WHERE p.id = ?`,
    [id],
  );
  if (!r) throw new Error('Idempotency key points to a missing payment');
  return toPayment(r);
}

/**
 * Takes a payment exactly once per (caller, idempotency key): the key claim,
 * the payment row and its credit entry commit together. The same key with
 * the same request returns the first payment (`replayed`); with another
 * amount, patient or currency it is CONFLICT. Nests (as a savepoint) inside
 * a caller's transaction.
 */
export async function takePayment(
  em: EntityManager,
  input: TakePayment,
): Promise<{ payment: Payment; replayed: boolean }> {
  if (typeof input.amountMinor !== 'bigint' || input.amountMinor <= 0n)
    throw badInput('A payment is a positive whole number of minor units', 'amountMinor');
  if (input.amountMinor > MAX_STAFF_PAYMENT_MINOR)
    throw badInput('A payment is at most 1,000,000.00 at once', 'amount');
  if (!UUID.test(input.patientId)) throw badInput('Not a patient id', 'patientId');
  const method = input.method ?? 'cash';
  if (!STAFF_PAYMENT_METHODS.includes(method)) throw badInput('Unknown payment method', 'method');
  const source = input.source ?? 'patient';
  if ((source === 'payer') !== Boolean(input.payerId))
    throw badInput('A payer payment names its payer, a patient payment none', 'payerId');
  let amount: Money;
  try {
    amount = money(input.amountMinor, input.currency);
  } catch {
    throw badInput('Unsupported currency', 'currency');
  }
  const principal = input.principal.sub;
  const { id, replayed } = await runOnce(
    em,
    SCHEMA,
    {
      by: principal,
      key: input.idempotencyKey,
      operation: OPERATION,
      request: {
        patientId: input.patientId,
        amountMinor: amount.amountMinor.toString(),
        currency: amount.currency,
        source,
        method,
        payerId: input.payerId ?? null,
      },
    },
    async (tem) => {
      const paymentId = randomUUID();
      const entryId = randomUUID();
      await tem.execute(
        `INSERT INTO ${SCHEMA}.payment (id, patient_id, source, method, payer_id, amount_minor,
           currency, idempotency_key, ledger_entry_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          paymentId,
          input.patientId,
          source,
          method,
          input.payerId ?? null,
          amount.amountMinor.toString(),
          amount.currency,
          input.idempotencyKey,
          entryId,
          principal,
        ],
      );
      await postEntries(tem, [
        {
          id: entryId,
          patientId: input.patientId,
          amount: { ...amount, amountMinor: -amount.amountMinor },
          kind: source === 'payer' ? 'insurance-payment' : 'payment',
          cause: { type: 'payment', id: paymentId },
          createdBy: principal,
        },
      ]);
      return paymentId;
    },
  );
  return { payment: await loadPayment(em, id), replayed };
}
