import { IsOptional, Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { AdjustmentKindCode } from './billing.types.js';
import { KEY, KEY_DESCRIPTION } from './coverage.inputs.js';
import { MoneyInput } from './money.type.js';
import { StaffPaymentMethodCode } from './payment-intent.types.js';

@InputType({
  description:
    'A payment billing staff received towards a patient’s balance (cash, cheque or card terminal).',
})
export class TakePaymentInput {
  @Field(() => ID, { description: 'The patient whose account is paid.' })
  patientId!: string;

  @Field(() => MoneyInput, { description: 'Amount, more than zero, at most 1,000,000.00.' })
  amount!: MoneyInput;

  @Field(() => StaffPaymentMethodCode, {
    nullable: true,
    description: 'How billing staff received it (default cash).',
  })
  @IsOptional()
  method?: StaffPaymentMethodCode;

  @Field(() => String, { description: KEY_DESCRIPTION })
  @Matches(KEY)
  idempotencyKey!: string;
}

@InputType({ description: 'Money to hand back from a payment.' })
export class RefundPaymentInput {
  @Field(() => ID, { description: 'The payment.' })
  paymentId!: string;

  @Field(() => MoneyInput, { description: 'Amount, up to what is left of the payment.' })
  amount!: MoneyInput;

  @Field(() => String, { description: 'Why (no PHI), 1–500 characters.' })
  @Length(1, 500)
  reason!: string;

  @Field(() => String, { description: KEY_DESCRIPTION })
  @Matches(KEY)
  idempotencyKey!: string;
}

@InputType({ description: 'A write-off or a correction of a patient’s balance.' })
export class AdjustBalanceInput {
  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => AdjustmentKindCode, { description: 'Write-off or correction.' })
  kind!: AdjustmentKindCode;

  @Field(() => MoneyInput, {
    description:
      'A write-off: the positive amount forgiven. A correction: signed, non-zero (negative lowers the balance).',
  })
  amount!: MoneyInput;

  @Field(() => String, { description: 'Why (no PHI), 1–500 characters.' })
  @Length(1, 500)
  reason!: string;

  @Field(() => ID, { nullable: true, description: 'The claim it belongs to, if any.' })
  @IsOptional()
  claimId?: string;

  @Field(() => String, { description: KEY_DESCRIPTION })
  @Matches(KEY)
  idempotencyKey!: string;
}

@InputType({ description: 'A statement to issue.' })
export class IssueStatementInput {
  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => String, { nullable: true, description: 'Due date YYYY-MM-DD (default in 30 days).' })
  @IsOptional()
  dueOn?: string;

  @Field(() => String, { description: KEY_DESCRIPTION })
  @Matches(KEY)
  idempotencyKey!: string;
}
