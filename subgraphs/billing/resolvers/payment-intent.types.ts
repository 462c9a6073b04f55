import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { MoneyAmount } from './money.type.js';

export enum PaymentMethodCode {
  cash = 'cash',
  cheque = 'cheque',
  cardTerminal = 'card-terminal',
  provider = 'provider',
  unrecorded = 'unrecorded',
}
registerEnumType(PaymentMethodCode, {
  name: 'PaymentMethod',
  description:
    'How money came: staff-entered cash, cheque or card terminal; a payment provider’s confirmed intent (provider); or unrecorded (taken before methods were kept). (cardTerminal in GraphQL.)',
});

/** The methods billing staff may enter (`takePayment`). */
export enum StaffPaymentMethodCode {
  cash = 'cash',
  cheque = 'cheque',
  cardTerminal = 'card-terminal',
}
registerEnumType(StaffPaymentMethodCode, {
  name: 'StaffPaymentMethod',
  description: 'How billing staff received a payment. (cardTerminal in GraphQL.)',
});

export enum PaymentIntentStatusCode {
  pending = 'pending',
  succeeded = 'succeeded',
  declined = 'declined',
  failed = 'failed',
  expired = 'expired',
}
registerEnumType(PaymentIntentStatusCode, {
  name: 'PaymentIntentStatus',
  description:
    'pending until the provider’s signed callback: succeeded (posted to the account once), declined or failed (nothing posted); expired when no confirmation came in time (nothing posted).',
});

@ObjectType({
  description:
    'A payment a patient (or an app acting for them) asked a payment provider to collect. Only a succeeded intent moves money.',
})
export class PaymentIntent {
  @Field(() => ID, { description: 'Intent id.' })
  id!: string;

  @Field(() => PaymentIntentStatusCode, { description: 'Where it stands.' })
  status!: PaymentIntentStatusCode;

  @Field(() => MoneyAmount, { description: 'Amount to collect.' })
  amount!: MoneyAmount;

  @Field(() => String, { description: 'The payment provider (e.g. test).' })
  provider!: string;

  @Field(() => String, { description: 'The provider’s reference for this intent.' })
  providerReference!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Why it was declined or failed, as the provider’s code.',
  })
  declineCode!: string | null;

  @Field(() => ID, { nullable: true, description: 'The payment posted when it succeeded.' })
  paymentId!: string | null;

  @Field(() => Date, { description: 'When it expires unless confirmed.' })
  expiresAt!: Date;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Boolean, {
    description: 'True when this answer replays an earlier request with the same key.',
  })
  replayed!: boolean;

  /** Internal. */
  patientId!: string;
}
