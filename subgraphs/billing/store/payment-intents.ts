import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../../platform/errors/index.js';
import { enqueueJob } from '../../../platform/events/jobs.js';
import type { PaymentProvider, ProviderEvent } from '../../../platform/payments/provider.js';
import { money, toDecimalString, type Money } from '../domain/money.js';
import { balance, postEntries, SCHEMA } from './ledger.js';

/** Where an intent stands; `pending` has no event row yet. */
export type IntentStatus = 'pending' | 'succeeded' | 'declined' | 'failed' | 'expired';

export interface PaymentIntentRow {
  id: string;
  patientId: string;
  amount: Money;
  provider: string;
  providerRef: string;
  status: IntentStatus;
  /** True once an event row settled it (a time-derived `expired` is not final until the job runs). */
  final: boolean;
  declineCode: string | null;
  paymentId: string | null;
  expiresAt: Date;
  createdAt: Date;
  createdBy: string;
}

/** How much a patient may pay through a provider, and for how long an intent waits. */
export interface IntentPolicy {
  /** Pay more than is owed (leaving a credit): BILLING_ALLOW_CREDIT. */
  allowCredit: boolean;
  /** Largest intent, in minor units. */
  maxMinor: bigint;
  /** Minutes an intent waits for its confirmation: BILLING_PAYMENT_INTENT_MINUTES. */
  ttlMinutes: number;
}

/** The plain job that expires an unconfirmed intent (payload `{ intentId }`). */
export const EXPIRE_INTENT_JOB = 'billing:payment-intent-expire';

interface IntentDbRow {
  id: string;
  patient_id: string;
  amount_minor: string;
  currency: string;
  provider: string;
  provider_ref: string;
  status: IntentStatus;
  final: boolean;
  decline_code: string | null;
  payment_id: string | null;
  expires_at: string;
  created_at: string;
  created_by: string;
}

// An intent past its expiry with no event is expired, whether or not the job has run yet.
const SELECT = `SELECT i.id, i.patient_id, i.amount_minor::text AS amount_minor, i.currency,
    i.provider, i.provider_ref, i.expires_at, i.created_at, i.created_by,
    COALESCE(e.status, CASE WHEN i.expires_at <= now() THEN 'expired' ELSE 'pending' END) AS status,
    e.id IS NOT NULL AS final, e.decline_code, e.payment_id
  FROM ${SCHEMA}.payment_intent i LEFT JOIN ${SCHEMA}.payment_intent_event e ON e.intent_id = i.id`;

const toIntent = (r: IntentDbRow): PaymentIntentRow => ({
  id: r.id,
  patientId: r.patient_id,
  amount: money(r.amount_minor, r.currency),
  provider: r.provider,
  providerRef: r.provider_ref,
  status: r.status,
  final: r.final,
  declineCode: r.decline_code,
  paymentId: r.payment_id,
  expiresAt: new Date(r.expires_at),
  createdAt: new Date(r.created_at),
  createdBy: r.created_by,
});

/** One intent as it stands now, or undefined. */
export async function intentById(
  em: EntityManager,
  id: string,
): Promise<PaymentIntentRow | undefined> {
  const [r] = await em.execute<IntentDbRow[]>(`${SELECT} WHERE i.id = ?`, [id]);
  return r && toIntent(r);
}

const lockIntent = (em: EntityManager, id: string) =>
  em.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [`billing-intent:${id}`]);

export interface NewIntent {
  patientId: string;
  amount: Money;
  paymentMethod: string;
  by: string;
  clientId: string;
}

/**
 * Creates a pending intent in the caller's transaction: at most what the
 * patient owes less their other pending intents (unless policy allows
 * credit), at most `maxMinor`; the provider is asked to collect it (keyed by
 * the intent id) and an expiry job is queued. Intents of one account are
 * created one at a time, so two cannot together exceed the balance.
 */
export async function createIntent(
  em: EntityManager,
  input: NewIntent,
  provider: PaymentProvider,
  policy: IntentPolicy,
): Promise<PaymentIntentRow> {
  const { amount } = input;
  if (amount.amountMinor <= 0n) throw badInput('A payment is a positive amount', 'amount');
  if (amount.amountMinor > policy.maxMinor)
    throw badInput(
      `A payment is at most ${toDecimalString(money(policy.maxMinor, amount.currency))}`,
      'amount',
    );
  await em.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [
    `billing-intents:${input.patientId}`,
  ]);
  if (!policy.allowCredit) {
    const owed = await balance(em, input.patientId, amount.currency);
    const [pending] = await em.execute<{ total: string }[]>(
      `SELECT COALESCE(SUM(i.amount_minor), 0)::text AS total FROM ${SCHEMA}.payment_intent i
        WHERE i.patient_id = ? AND i.currency = ? AND i.expires_at > now()
          AND NOT EXISTS (SELECT 1 FROM ${SCHEMA}.payment_intent_event e WHERE e.intent_id = i.id)`,
      [input.patientId, amount.currency],
    );
    const payable = owed.amountMinor - BigInt(pending?.total ?? '0');
    if (amount.amountMinor > payable)
      throw badInput(
        payable > 0n
          ? `At most ${toDecimalString(money(payable, amount.currency))} is owed and not already being paid`
          : 'Nothing is owed on this account now',
        'amount',
      );
  }
  const id = randomUUID();
  let providerRef: string;
  try {
    ({ providerRef } = await provider.createIntent({
      intentId: id,
      amountMinor: amount.amountMinor,
      currency: amount.currency,
      paymentMethod: input.paymentMethod,
    }));
  } catch (err) {
    if ((err as Error).name === 'UnknownPaymentMethod')
      throw badInput('The payment provider does not know this payment method', 'paymentMethod');
    throw err;
  }
  await em.execute(
    `INSERT INTO ${SCHEMA}.payment_intent (id, patient_id, amount_minor, currency, provider,
       provider_ref, expires_at, created_by, client_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, date_trunc('milliseconds', now()) + make_interval(mins => ?), ?, ?,
       date_trunc('milliseconds', now()))`,
    [
      id,
      input.patientId,
      amount.amountMinor.toString(),
      amount.currency,
      provider.name,
      providerRef,
      policy.ttlMinutes,
      input.by,
      input.clientId,
    ],
  );
  const intent = await intentById(em, id);
  if (!intent) throw new Error('A created intent vanished');
  await enqueueJob(em, {
    task: EXPIRE_INTENT_JOB,
    payload: { intentId: id },
    runAt: intent.expiresAt,
    jobKey: `${EXPIRE_INTENT_JOB}:${id}`,
  });
  return intent;
}

/** A callback that names an intent of another provider, reference, amount or currency. */
export class CallbackMismatch extends Error {
  override name = 'CallbackMismatch';
}

/** What applying a provider's callback did. */
export interface CallbackOutcome {
  intent: PaymentIntentRow;
  /** False when the intent was already final: a duplicate or late callback changes nothing. */
  changed: boolean;
  /** True when the provider confirmed an intent that had already expired (nothing posted). */
  lateSuccess: boolean;
}

/**
 * Applies a verified provider event to its intent, in the caller's
 * transaction, under the intent's lock: a success posts one payment
 * (method `provider`) and its ledger credit; a decline or failure posts
 * nothing; an intent already final is left as it is. A success after the
 * intent expired posts nothing either (the provider must refund it). The
 * database holds at most one final event per intent and one payment per
 * intent, whatever the number or order of callbacks.
 */
export async function applyProviderEvent(
  em: EntityManager,
  provider: string,
  ev: ProviderEvent,
): Promise<CallbackOutcome> {
  await lockIntent(em, ev.intentId);
  const intent = await intentById(em, ev.intentId);
  if (!intent) throw new Error('applyProviderEvent: unknown intent');
  if (
    intent.provider !== provider ||
    intent.providerRef !== ev.providerRef ||
    intent.amount.amountMinor !== ev.amountMinor ||
    intent.amount.currency !== ev.currency
  )
    throw new CallbackMismatch('callback does not match its intent');
  if (intent.final) return { intent, changed: false, lateSuccess: false };
  const by = `payment-provider:${provider}`;
  const expired = intent.status === 'expired';
  if (ev.outcome !== 'succeeded' || expired) {
    await em.execute(
      `INSERT INTO ${SCHEMA}.payment_intent_event (id, intent_id, status, provider_event_id,
         decline_code, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
      [
        randomUUID(),
        intent.id,
        expired ? 'expired' : ev.outcome,
        ev.eventId,
        expired ? null : (ev.declineCode ?? null),
        by,
      ],
    );
  } else {
    const paymentId = randomUUID();
    const entryId = randomUUID();
    await em.execute(
      `INSERT INTO ${SCHEMA}.payment (id, patient_id, source, method, intent_id, amount_minor,
         currency, idempotency_key, ledger_entry_id, created_by)
       VALUES (?, ?, 'patient', 'provider', ?, ?, ?, ?, ?, ?)`,
      [
        paymentId,
        intent.patientId,
        intent.id,
        intent.amount.amountMinor.toString(),
        intent.amount.currency,
        `intent:${intent.id}`,
        entryId,
        intent.createdBy,
      ],
    );
    await postEntries(em, [
      {
        id: entryId,
        patientId: intent.patientId,
        amount: { ...intent.amount, amountMinor: -intent.amount.amountMinor },
        kind: 'payment',
        cause: { type: 'payment', id: paymentId },
        createdBy: by,
      },
    ]);
    await em.execute(
      `INSERT INTO ${SCHEMA}.payment_intent_event (id, intent_id, status, provider_event_id,
         payment_id, created_by) VALUES (?, ?, 'succeeded', ?, ?, ?)`,
      [randomUUID(), intent.id, ev.eventId, paymentId, by],
    );
  }
  const after = await intentById(em, intent.id);
  return {
    intent: after!,
    changed: true,
    lateSuccess: expired && ev.outcome === 'succeeded',
  };
}

/**
 * Records that an unconfirmed intent expired (the expiry job), in the
 * caller's transaction; an intent already final, or not yet due, is left alone.
 * Returns the intent when it changed.
 */
export async function expireIntent(
  em: EntityManager,
  id: string,
): Promise<PaymentIntentRow | undefined> {
  await lockIntent(em, id);
  const intent = await intentById(em, id);
  if (!intent || intent.final || intent.status !== 'expired') return undefined;
  const inserted = await em.execute<{ id: string }[]>(
    `INSERT INTO ${SCHEMA}.payment_intent_event (id, intent_id, status, created_by)
     VALUES (?, ?, 'expired', 'system:billing') ON CONFLICT (intent_id) DO NOTHING RETURNING id`,
    [randomUUID(), id],
  );
  return inserted.length ? intent : undefined;
}
