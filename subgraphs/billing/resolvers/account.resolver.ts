import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { badInput, forbidden } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { MAX_PAGE_SIZE, pageSize } from '../../../platform/federation/pagination.js';
import { calendarDate } from '../../../platform/federation/validators.js';
import { NO_ACCESS, billingWrite } from '../access.js';
import type { BillingContext } from '../context.js';
import { adjustBalance } from '../store/adjustments.js';
import { paymentPatient } from '../store/owners.js';
import { toConnection } from '../../../platform/federation/keyset.js';
import { paymentView } from '../store/payment-views.js';
import { takePayment } from '../store/payments.js';
import { refundPayment } from '../store/refunds.js';
import { checkLineCursor, issueStatement, type StatementRow } from '../store/statements.js';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { toAdjustment, toPayment, toRefund } from './billing.mapper.js';
import {
  AdjustBalanceInput,
  IssueStatementInput,
  RefundPaymentInput,
  TakePaymentInput,
} from './account.inputs.js';
import {
  Adjustment,
  AdjustmentKindCode,
  LedgerEntryKindCode,
  Payment,
  Refund,
  Statement,
  StatementLineConnection,
} from './billing.types.js';
import type { Money } from '../domain/money.js';
import { moneyIn, moneyOut, positiveMoneyIn } from './money.type.js';
import { StaffPaymentMethodCode } from './payment-intent.types.js';

/** Accounts are kept in one currency (the policy's): an amount in another is refused. */
function inAccountCurrency(ctx: BillingContext, m: Money): Money {
  if (m.currency !== ctx.services.policy.currency)
    throw badInput(`Accounts are kept in ${ctx.services.policy.currency}`, 'amount');
  return m;
}

export function toStatement(s: StatementRow, replayed = false): Statement {
  const due = s.closing.amountMinor > 0n ? s.closing : { ...s.closing, amountMinor: 0n };
  return {
    id: s.id,
    sequence: s.sequence,
    issuedAt: s.issuedAt,
    dueOn: s.dueOn,
    openingBalance: moneyOut(s.opening),
    closingBalance: moneyOut(s.closing),
    amountDue: moneyOut(due),
    lineCount: s.lineCount,
    replayed,
    patientId: s.patientId,
  };
}

/** Payments, refunds, adjustments and statements: what moves a patient’s balance. */
@Resolver(() => Statement)
export class AccountResolver {
  @Mutation(() => Payment, {
    description:
      'Records a payment billing staff received towards a patient’s balance (cash, cheque or card terminal), marked with its method. Patients and apps pay through createPaymentIntent instead (FORBIDDEN here). Once per idempotency key: a retry returns the first payment; the same key with another amount is CONFLICT.',
  })
  async takePayment(
    @Arg('input', () => TakePaymentInput) input: TakePaymentInput,
    @Ctx() ctx: BillingContext,
  ): Promise<Payment> {
    const patientId = requireUuid(input.patientId, 'patientId');
    const amount = inAccountCurrency(ctx, positiveMoneyIn(input.amount, 'amount'));
    const subject = { patientId };
    return auditedWrite(
      ctx,
      {
        decision: billingWrite(ctx, subject, 'Account', 'c', 'create'),
        patientId: subject.patientId,
        dataClass: 'Account',
        action: 'create',
      },
      async (em) => {
        const out = await takePayment(em, {
          patientId,
          amountMinor: amount.amountMinor,
          currency: amount.currency,
          idempotencyKey: input.idempotencyKey,
          principal: ctx.principal,
          method: input.method ?? StaffPaymentMethodCode.cash,
        });
        const p = out.payment;
        // A replay may come after refunds: answer what is refunded now.
        const refunded = out.replayed
          ? ((await paymentView(em, p.id))?.refunded ?? { ...p.amount, amountMinor: 0n })
          : { ...p.amount, amountMinor: 0n };
        return { ...out, id: p.id, result: toPayment({ ...p, refunded }, out.replayed) };
      },
    );
  }

  @Mutation(() => Refund, {
    description:
      'Refunds part or all of a payment (never more than is left of it); once per idempotency key.',
  })
  async refundPayment(
    @Arg('input', () => RefundPaymentInput) input: RefundPaymentInput,
    @Ctx() ctx: BillingContext,
  ): Promise<Refund> {
    const paymentId = requireUuid(input.paymentId, 'paymentId');
    const amount = positiveMoneyIn(input.amount, 'amount');
    const patientId = await paymentPatient(ctx.em, paymentId);
    if (!patientId) throw forbidden(NO_ACCESS);
    const subject = { patientId };
    return auditedWrite(
      ctx,
      {
        decision: billingWrite(ctx, subject, 'Account', 'u', 'update'),
        patientId: subject.patientId,
        dataClass: 'Account',
        action: 'update',
      },
      async (em) => {
        const out = await refundPayment(em, {
          paymentId,
          amount,
          reason: input.reason,
          idempotencyKey: input.idempotencyKey,
          by: ctx.principal.sub,
        });
        return { ...out, id: out.refund.id, result: toRefund(out.refund, out.replayed) };
      },
    );
  }

  @Mutation(() => Adjustment, {
    description: 'Writes off or corrects part of a patient’s balance; once per idempotency key.',
  })
  async adjustBalance(
    @Arg('input', () => AdjustBalanceInput) input: AdjustBalanceInput,
    @Ctx() ctx: BillingContext,
  ): Promise<Adjustment> {
    const patientId = requireUuid(input.patientId, 'patientId');
    const claimId = input.claimId ? requireUuid(input.claimId, 'claimId') : undefined;
    const amount = inAccountCurrency(
      ctx,
      input.kind === AdjustmentKindCode.writeOff
        ? positiveMoneyIn(input.amount, 'amount')
        : moneyIn(input.amount, 'amount'),
    );
    if (amount.amountMinor === 0n) throw badInput('amount must not be zero', 'amount');
    const subject = { patientId };
    return auditedWrite(
      ctx,
      {
        decision: billingWrite(ctx, subject, 'Account', 'u', 'update'),
        patientId: subject.patientId,
        dataClass: 'Account',
        action: 'update',
      },
      async (em) => {
        const out = await adjustBalance(em, {
          patientId,
          kind: input.kind === AdjustmentKindCode.writeOff ? 'write-off' : 'correction',
          amount,
          reason: input.reason,
          ...(claimId ? { claimId } : {}),
          idempotencyKey: input.idempotencyKey,
          by: ctx.principal.sub,
        });
        return {
          ...out,
          id: out.adjustment.id,
          result: toAdjustment(out.adjustment, out.replayed),
        };
      },
    );
  }

  @Mutation(() => Statement, {
    description:
      'Issues the patient’s next statement: every ledger entry since the previous one, with opening and closing balances. With nothing new since the previous statement it is BAD_USER_INPUT (a first statement may be empty).',
  })
  async issueStatement(
    @Arg('input', () => IssueStatementInput) input: IssueStatementInput,
    @Ctx() ctx: BillingContext,
  ): Promise<Statement> {
    const patientId = requireUuid(input.patientId, 'patientId');
    if (input.dueOn !== undefined && !calendarDate(input.dueOn))
      throw badInput('dueOn must be a date YYYY-MM-DD', 'dueOn');
    const subject = { patientId };
    return auditedWrite(
      ctx,
      {
        decision: billingWrite(ctx, subject, 'Account', 'c', 'create'),
        patientId: subject.patientId,
        dataClass: 'Account',
        action: 'create',
      },
      async (em) => {
        const out = await issueStatement(em, {
          patientId,
          currency: ctx.services.policy.currency,
          ...(input.dueOn !== undefined ? { dueOn: input.dueOn } : {}),
          idempotencyKey: input.idempotencyKey,
          by: ctx.principal.sub,
        });
        return {
          id: out.statement.id,
          replayed: out.replayed,
          result: toStatement(out.statement, out.replayed),
        };
      },
    );
  }

  @FieldResolver(() => StatementLineConnection, {
    description:
      'The ledger entries on this statement, in posting order; 100 a page unless `first` says otherwise.',
  })
  async lines(
    @Root() s: Statement,
    @Ctx() ctx: BillingContext,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<StatementLineConnection> {
    const size = pageSize(first ?? MAX_PAGE_SIZE);
    checkLineCursor(after);
    const page = await ctx.loaders.statementLines.load({
      id: s.id,
      first: size,
      after: after ?? null,
    });
    return toConnection(page, (l) => ({
      entryId: l.entryId,
      postedAt: l.postedAt,
      kind: l.kind as LedgerEntryKindCode,
      amount: moneyOut(l.amount),
      description: l.description,
    }));
  }
}
