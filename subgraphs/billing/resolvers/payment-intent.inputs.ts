import { Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { KEY, KEY_DESCRIPTION } from './coverage.inputs.js';
import { MoneyInput } from './money.type.js';

@InputType({ description: 'A payment a patient asks the payment provider to collect.' })
export class CreatePaymentIntentInput {
  @Field(() => ID, { description: 'The patient whose account is paid (the caller’s own).' })
  patientId!: string;

  @Field(() => MoneyInput, {
    description:
      'Amount, more than zero, at most what is owed and not already being paid (unless credit is allowed), at most 100,000.00.',
  })
  amount!: MoneyInput;

  @Field(() => String, {
    description:
      'The payment method as the provider tokenised it (never a card number). Test provider: tok_visa, tok_visa_twice, tok_declined, tok_failed, tok_no_callback.',
  })
  @Matches(/^[A-Za-z0-9_-]{1,128}$/)
  @Length(1, 128)
  paymentMethod!: string;

  @Field(() => String, { description: KEY_DESCRIPTION })
  @Matches(KEY)
  idempotencyKey!: string;
}
