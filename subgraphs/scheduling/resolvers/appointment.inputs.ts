import { IsOptional, Length, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

@InputType({ description: 'A booking request.' })
export class BookAppointmentInput {
  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => ID, { description: 'The practitioner.' })
  @Length(1, 64)
  practitionerId!: string;

  @Field(() => Date, {
    description: 'Start of one of the practitioner’s free slots (from availableSlots).',
  })
  start!: Date;

  @Field(() => String, {
    nullable: true,
    description: 'Why the patient comes (PHI: stored encrypted), up to 500 characters.',
  })
  @IsOptional()
  @Length(1, 500)
  reason?: string;

  @Field(() => String, {
    description:
      'A key of the caller’s choosing (8–128 characters); a retry with the same key books nothing twice.',
  })
  @Matches(KEY)
  idempotencyKey!: string;
}
