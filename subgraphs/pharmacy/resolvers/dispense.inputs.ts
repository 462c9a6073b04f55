import { Length, Matches, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';

const FACILITY = /^[A-Za-z0-9\-.]{1,64}$/;

@InputType({ description: 'A dispense against an active prescription.' })
export class DispenseInput {
  @Field(() => ID, { description: 'The prescription.' })
  prescriptionId!: string;

  @Field(() => ID, { description: 'The dispensing facility (a FHIR Location id).' })
  @Matches(FACILITY, { message: 'facilityId must be a FHIR id (letters, digits, - and .)' })
  facilityId!: string;

  @Field(() => Int, {
    description: 'Units to give out: at most the prescription’s quantity per fill.',
  })
  @Min(1)
  @Max(100000)
  quantity!: number;

  @Field(() => String, {
    description: 'Idempotency key: a retry with the same key dispenses once.',
  })
  idempotencyKey!: string;
}

@InputType({ description: 'A delivery of one lot to a facility.' })
export class ReceiveStockInput {
  @Field(() => ID, { description: 'Facility (a FHIR Location id).' })
  @Matches(FACILITY, { message: 'facilityId must be a FHIR id (letters, digits, - and .)' })
  facilityId!: string;

  @Field(() => ID, { description: 'The drug’s RxCUI.' })
  @Matches(/^[0-9]{1,12}$/, { message: 'drugRxcui must be an RxCUI (digits)' })
  drugRxcui!: string;

  @Field(() => String, { description: 'Lot number (1 to 40 letters, digits, - . /).' })
  @Length(1, 40)
  lotNumber!: string;

  @Field(() => String, { description: 'Expiry date (YYYY-MM-DD).' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'expiresOn must be YYYY-MM-DD' })
  expiresOn!: string;

  @Field(() => Int, { description: 'Units received, 1 to 1,000,000.' })
  @Min(1)
  @Max(1000000)
  quantity!: number;

  @Field(() => String, { description: 'Idempotency key: a retried receipt is counted once.' })
  idempotencyKey!: string;
}

@InputType({ description: 'An adjustment of a lot, with its reason.' })
export class AdjustStockInput {
  @Field(() => ID, { description: 'The lot.' })
  lotId!: string;

  @Field(() => Int, { description: 'Units in (+) or out (−), non-zero.' })
  delta!: number;

  @Field(() => String, {
    description: 'waste, expiry, count-correction, damaged or return-to-supplier.',
  })
  reason!: string;

  @Field(() => String, { nullable: true, description: 'Note (no patient data; up to 200).' })
  note?: string | null;

  @Field(() => String, { description: 'Idempotency key: a retried adjustment is applied once.' })
  idempotencyKey!: string;
}
