import {
  ArrayMaxSize,
  IsDate,
  IsOptional,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidateNested,
} from 'class-validator';
import { Field, Float, ID, InputType } from 'type-graphql';
import type {
  AllergyDraft,
  ConditionDraft,
  ReactionDraft,
  VitalSignsDraft,
} from '../domain/authoring.js';
import { ICD10CM, SNOMED } from '../domain/authoring.js';
import {
  AllergyCategoryCode,
  AllergyClinicalStatusCode,
  AllergyCriticalityCode,
  AllergyTypeCode,
  AllergyVerificationStatusCode,
  ConditionCategoryCode,
  ConditionClinicalStatusCode,
  ConditionVerificationStatusCode,
  ReactionSeverityCode,
} from './authoring.enums.js';
import { TokenInput } from './clinical.inputs.js';
import {
  FHIR_ID,
  IsAbatementAllowed,
  IsCodeSystemIn,
  IsFhirDateTime,
  IsNotFuture,
  IsVitalSignSet,
} from './clinical.validators.js';

const FHIR_DATE =
  'A FHIR date or dateTime, possibly partial: 2019, 2019-04, 2019-04-12 or 2019-04-12T09:30:00-04:00; not in the future.';

@InputType({ description: 'A reaction to record with an allergy.' })
export class AllergyReactionInput implements ReactionDraft {
  @Field(() => TokenInput, {
    description:
      'The sign or symptom, e.g. SNOMED CT 247472004 (hives); system defaults to SNOMED CT.',
  })
  @ValidateNested()
  manifestation!: TokenInput;

  @Field(() => String, { nullable: true, description: 'The manifestation in words (up to 200).' })
  @IsOptional()
  @Length(1, 200)
  display?: string | null;

  @Field(() => ReactionSeverityCode, { nullable: true, description: 'How severe it was.' })
  @IsOptional()
  severity?: ReactionSeverityCode | null;
}

@InputType({ description: 'An allergy or intolerance to record (or the new content of one).' })
export class RecordAllergyInput implements AllergyDraft {
  @Field(() => TokenInput, {
    description: 'The substance, e.g. RxNorm or SNOMED CT; system defaults to SNOMED CT.',
  })
  @ValidateNested()
  code!: TokenInput;

  @Field(() => String, { nullable: true, description: 'The substance in words (up to 200).' })
  @IsOptional()
  @Length(1, 200)
  display?: string | null;

  @Field(() => AllergyTypeCode, { nullable: true, description: 'Allergy or intolerance.' })
  @IsOptional()
  type?: AllergyTypeCode | null;

  @Field(() => [AllergyCategoryCode], { nullable: true, description: 'Kinds of substance.' })
  @IsOptional()
  @ArrayMaxSize(4)
  categories?: AllergyCategoryCode[] | null;

  @Field(() => AllergyCriticalityCode, {
    nullable: true,
    description: 'Potential for a serious reaction.',
  })
  @IsOptional()
  criticality?: AllergyCriticalityCode | null;

  @Field(() => AllergyClinicalStatusCode, {
    nullable: true,
    description: 'Clinical status (default active).',
  })
  @IsOptional()
  clinicalStatus?: AllergyClinicalStatusCode | null;

  @Field(() => AllergyVerificationStatusCode, {
    nullable: true,
    description: 'Verification status (default confirmed).',
  })
  @IsOptional()
  verificationStatus?: AllergyVerificationStatusCode | null;

  @Field(() => [AllergyReactionInput], { nullable: true, description: 'Reactions (up to 10).' })
  @IsOptional()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  reactions?: AllergyReactionInput[] | null;

  @Field(() => String, { nullable: true, description: `Onset. ${FHIR_DATE}` })
  @IsOptional()
  @Validate(IsFhirDateTime)
  onset?: string | null;

  @Field(() => String, { nullable: true, description: 'A note (up to 2000 characters).' })
  @IsOptional()
  @Length(1, 2000)
  note?: string | null;
}

@InputType({ description: 'A condition to record (or the new content of one).' })
export class RecordConditionInput implements ConditionDraft {
  @Field(() => TokenInput, {
    description: `The condition, ICD-10-CM (${ICD10CM}) or SNOMED CT (${SNOMED}); without a system, an all-digit code is SNOMED CT, others ICD-10-CM.`,
  })
  @ValidateNested()
  @Validate(IsCodeSystemIn, [ICD10CM, SNOMED])
  code!: TokenInput;

  @Field(() => String, { nullable: true, description: 'The condition in words (up to 200).' })
  @IsOptional()
  @Length(1, 200)
  display?: string | null;

  @Field(() => ConditionCategoryCode, {
    nullable: true,
    description: 'Problem-list item (default) or encounter diagnosis.',
  })
  @IsOptional()
  category?: ConditionCategoryCode | null;

  @Field(() => ConditionClinicalStatusCode, {
    nullable: true,
    description: 'Clinical status (default active; resolved when an abatement is given).',
  })
  @IsOptional()
  clinicalStatus?: ConditionClinicalStatusCode | null;

  @Field(() => ConditionVerificationStatusCode, {
    nullable: true,
    description: 'Verification status (default confirmed).',
  })
  @IsOptional()
  verificationStatus?: ConditionVerificationStatusCode | null;

  @Field(() => String, { nullable: true, description: `Onset. ${FHIR_DATE}` })
  @IsOptional()
  @Validate(IsFhirDateTime)
  onset?: string | null;

  @Field(() => String, {
    nullable: true,
    description: `When it resolved or went into remission (clinical status then inactive, remission or resolved). ${FHIR_DATE}`,
  })
  @IsOptional()
  @Validate(IsFhirDateTime)
  @Validate(IsAbatementAllowed)
  abatement?: string | null;

  @Field(() => ID, { nullable: true, description: 'The encounter it was diagnosed in.' })
  @IsOptional()
  @Matches(FHIR_ID)
  encounterId?: string | null;

  @Field(() => String, { nullable: true, description: 'A note (up to 2000 characters).' })
  @IsOptional()
  @Length(1, 2000)
  note?: string | null;
}

@InputType({
  description:
    'Vital signs taken at one time; at least one, systolic and diastolic together. Each becomes an Observation (FHIR vital-signs profile).',
})
export class RecordVitalSignsInput implements VitalSignsDraft {
  @Field(() => Date, { description: 'When they were taken (not in the future).' })
  @IsDate()
  @Validate(IsNotFuture)
  @Validate(IsVitalSignSet)
  effective!: Date;

  @Field(() => ID, { nullable: true, description: 'The encounter they were taken in.' })
  @IsOptional()
  @Matches(FHIR_ID)
  encounterId?: string | null;

  @Field(() => Float, { nullable: true, description: 'Heart rate, beats per minute (20–300).' })
  @IsOptional()
  @Min(20)
  @Max(300)
  heartRate?: number | null;

  @Field(() => Float, { nullable: true, description: 'Systolic blood pressure, mmHg (30–300).' })
  @IsOptional()
  @Min(30)
  @Max(300)
  systolic?: number | null;

  @Field(() => Float, { nullable: true, description: 'Diastolic blood pressure, mmHg (30–300).' })
  @IsOptional()
  @Min(30)
  @Max(300)
  diastolic?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Respiratory rate, breaths per minute (2–150).',
  })
  @IsOptional()
  @Min(2)
  @Max(150)
  respiratoryRate?: number | null;

  @Field(() => Float, { nullable: true, description: 'Body temperature, °C (25–45).' })
  @IsOptional()
  @Min(25)
  @Max(45)
  bodyTemperature?: number | null;

  @Field(() => Float, { nullable: true, description: 'Oxygen saturation (SpO2), % (50–100).' })
  @IsOptional()
  @Min(50)
  @Max(100)
  oxygenSaturation?: number | null;

  @Field(() => Float, { nullable: true, description: 'Body weight, kg (0.2–500).' })
  @IsOptional()
  @Min(0.2)
  @Max(500)
  bodyWeight?: number | null;

  @Field(() => Float, { nullable: true, description: 'Body height, cm (20–272).' })
  @IsOptional()
  @Min(20)
  @Max(272)
  bodyHeight?: number | null;
}
