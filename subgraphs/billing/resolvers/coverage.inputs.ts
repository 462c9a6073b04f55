import { IsInt, IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { CoverageRelationship } from './billing.types.js';

export const KEY = /^[A-Za-z0-9._:-]{8,128}$/;
export const KEY_DESCRIPTION =
  'A key of the caller’s choosing (8–128 characters); a retry with the same key changes nothing twice.';

@InputType({ description: 'Insurance coverage to record for a patient.' })
export class RecordCoverageInput {
  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => ID, { description: 'The plan (from `plans`); its payer follows.' })
  @Length(1, 12)
  planId!: string;

  @Field(() => String, {
    description: 'Member id on the card (PHI: stored encrypted), 1–40 letters, digits or hyphens.',
  })
  @Length(1, 40)
  memberId!: string;

  @Field(() => CoverageRelationship, { description: 'Relationship to the subscriber.' })
  relationship!: CoverageRelationship;

  @Field(() => String, { description: 'First covered day, YYYY-MM-DD.' })
  periodStart!: string;

  @Field(() => String, { nullable: true, description: 'Last covered day, YYYY-MM-DD.' })
  @IsOptional()
  periodEnd?: string;

  @Field(() => Int, { description: 'Order of benefits: 1 primary, 2 secondary, … (up to 9).' })
  @IsInt()
  @Min(1)
  @Max(9)
  priority!: number;

  @Field(() => String, { description: KEY_DESCRIPTION })
  @Matches(KEY)
  idempotencyKey!: string;
}
