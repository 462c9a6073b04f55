import type { EntityManager } from '@mikro-orm/postgresql';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { badInput, forbidden, unavailable } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { NO_ACCESS, readable, requireBilling } from '../access.js';
import type { BillingContext } from '../context.js';
import { SCHEMA } from '../store/ledger.js';
import { createIntent, intentById, type PaymentIntentRow } from '../store/payment-intents.js';
import { positiveMoneyIn, moneyOut } from './money.type.js';
import { CreatePaymentIntentInput } from './payment-intent.inputs.js';
import { PaymentIntent, PaymentIntentStatusCode } from './payment-intent.types.js';

export function toPaymentIntent(i: PaymentIntentRow, replayed = false): PaymentIntent {
  return {
    id: i.id,
    status: i.status as PaymentIntentStatusCode,
    amount: moneyOut(i.amount),
    provider: i.provider,
    providerReference: i.providerRef,
    declineCode: i.declineCode,
    paymentId: i.paymentId,
    expiresAt: i.expiresAt,
    createdAt: i.createdAt,
    replayed,
    patientId: i.patientId,
  };
}

const answer = async (em: EntityManager, id: string, replayed: boolean) => {
  const row = await intentById(em, id);
  if (!row) throw new Error('A payment intent vanished');
  return toPaymentIntent(row, replayed);
};

/** Money from a patient: asked of a payment provider, posted only on its signed confirmation. */
@Resolver(() => PaymentIntent)
export class PaymentIntentResolver {
  @Mutation(() => PaymentIntent, {
    description:
      'Asks the payment provider to collect a payment towards the caller’s own balance (a patient, or an app acting for them). The intent starts pending; the provider’s signed callback confirms it (the payment is then posted once), declines it, or it expires; poll paymentIntent(id). Once per idempotency key.',
  })
  async createPaymentIntent(
    @Arg('input', () => CreatePaymentIntentInput) input: CreatePaymentIntentInput,
    @Ctx() ctx: BillingContext,
  ): Promise<PaymentIntent> {
    const patientId = requireUuid(input.patientId, 'patientId');
    const amount = positiveMoneyIn(input.amount, 'amount');
    if (amount.currency !== ctx.services.policy.currency)
      throw badInput(`Accounts are kept in ${ctx.services.policy.currency}`, 'amount');
    const subject = { patientId };
    const decision = await requireBilling(ctx, subject, 'Account', 'c', 'create');
    const { provider, policy } = ctx.services.payments;
    if (!provider) throw unavailable('No payment provider is configured; pay at the billing desk');
    return auditedWrite(
      ctx,
      { decision, patientId, dataClass: 'Account', action: 'create' },
      {
        idempotency: {
          schema: SCHEMA,
          key: input.idempotencyKey,
          operation: 'createPaymentIntent',
          request: {
            patientId,
            amountMinor: amount.amountMinor.toString(),
            currency: amount.currency,
            paymentMethod: input.paymentMethod,
          },
        },
        write: async (em) => {
          const row = await createIntent(
            em,
            {
              patientId,
              amount,
              paymentMethod: input.paymentMethod,
              by: ctx.principal.sub,
              clientId: ctx.principal.clientId,
            },
            provider,
            policy,
          );
          return { id: row.id, result: toPaymentIntent(row) };
        },
        replay: (em, id) => answer(em, id, true),
      },
    );
  }

  @Query(() => PaymentIntent, {
    description:
      'A payment intent as it stands (the patient’s own, or any for billing staff); FORBIDDEN when refused or missing.',
  })
  async paymentIntent(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: BillingContext,
  ): Promise<PaymentIntent> {
    const row = await intentById(ctx.em, requireUuid(id));
    const [ok] = await readable(ctx, row ? [row] : [], 'Account', 'read');
    if (!ok) throw forbidden(NO_ACCESS);
    return toPaymentIntent(ok);
  }
}
