import {
  ArrayMaxSize,
  IsDate,
  IsOptional,
  Length,
  Matches,
  Validate,
  ValidateNested,
} from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { FHIR_CODE, IsNotBeforeFrom, SYSTEM_URI } from './clinical.validators.js';

@InputType({ description: 'A code to match, with its code system when it matters.' })
export class TokenInput {
  @Field(() => String, {
    nullable: true,
    description: 'The code system URI, e.g. http://snomed.info/sct (up to 200 characters).',
  })
  @IsOptional()
  @Length(1, 200)
  @Matches(SYSTEM_URI)
  system?: string | null;

  @Field(() => String, { description: 'The code, 1–200 characters.' })
  @Length(1, 200)
  @Matches(FHIR_CODE)
  code!: string;
}

@InputType({
  description: 'Narrows a list of clinical records; every criterion given must match.',
})
export class ClinicalFilter {
  @Field(() => [String], {
    nullable: true,
    description:
      'Statuses to include (up to 10), as `status` reads, e.g. active or finished; omit for all.',
  })
  @IsOptional()
  @ArrayMaxSize(10)
  @Length(1, 64, { each: true })
  @Matches(FHIR_CODE, { each: true })
  status?: string[] | null;

  @Field(() => TokenInput, {
    nullable: true,
    description:
      'A category to match (Encounter: class or type; DocumentReference: type or category).',
  })
  @IsOptional()
  @ValidateNested()
  category?: TokenInput | null;

  @Field(() => TokenInput, {
    nullable: true,
    description: 'A code to match (the condition, vaccine, medication, test, …).',
  })
  @IsOptional()
  @ValidateNested()
  code?: TokenInput | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Records whose clinical period ends at or after this time.',
  })
  @IsOptional()
  @IsDate()
  from?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Records whose clinical period starts at or before this time (not before from).',
  })
  @IsOptional()
  @IsDate()
  @Validate(IsNotBeforeFrom)
  to?: Date | null;
}
