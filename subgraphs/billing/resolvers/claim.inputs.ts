import { IsOptional, Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { ClaimOutcomeCode } from './billing.types.js';
import { KEY, KEY_DESCRIPTION } from './coverage.inputs.js';
import { MoneyInput } from './money.type.js';

@InputType({ description: 'A claim to build from a visit’s charges.' })
export class CreateClaimInput {
  @Field(() => ID, { description: 'The visit (appointment) whose charges are claimed.' })
  appointmentId!: string;

  @Field(() => ID, { description: 'The coverage to claim under.' })
  coverageId!: string;

  @Field(() => String, { description: KEY_DESCRIPTION })
  @Matches(KEY)
  idempotencyKey!: string;
}

@InputType({ description: 'The payer’s decision on a submitted claim.' })
export class AdjudicateClaimInput {
  @Field(() => ClaimOutcomeCode, { description: 'Paid in full, partly paid or denied.' })
  outcome!: ClaimOutcomeCode;

  @Field(() => MoneyInput, { description: 'Allowed amount (≤ the claim total).' })
  allowed!: MoneyInput;

  @Field(() => MoneyInput, {
    description:
      'Paid amount: = allowed when paid, between 0 and allowed when partly paid, 0 when denied.',
  })
  paid!: MoneyInput;

  @Field(() => String, {
    nullable: true,
    description: 'Required when denied: a reason code (e.g. a CARC such as "CO-50"), no PHI.',
  })
  @IsOptional()
  @Length(1, 200)
  denialReason?: string;

  @Field(() => String, { nullable: true, description: 'The payer’s own reference.' })
  @IsOptional()
  @Length(1, 100)
  payerReference?: string;

  @Field(() => String, { description: KEY_DESCRIPTION })
  @Matches(KEY)
  idempotencyKey!: string;
}
