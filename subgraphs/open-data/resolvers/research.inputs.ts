import { Field, Float, InputType, Int } from 'type-graphql';
import { DimensionCode } from './open-data.enums.js';

@InputType({
  description:
    'Who counts: patients with at least one fact (in the years asked) matching every filter given; an empty list filters nothing.',
})
export class CohortFilterInput {
  @Field(() => [String], {
    nullable: true,
    description:
      'FHIR resource types (`Condition`, `Encounter`, `MedicationDispense`, `Appointment`…).',
  })
  resourceTypes?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Condition categories: ICD-10-CM chapters such as `I00-I99`.',
  })
  conditionCategories?: string[];

  @Field(() => [String], {
    nullable: true,
    description:
      'Codes as `system|code`: `icd10|E119`, `snomed|44054006`, `loinc|4548-4`, `rxnorm|860975`, `cvx|140`, `act|IMP`.',
  })
  codes?: string[];

  @Field(() => [String], { nullable: true, description: '`female`, `male`, `other`, `unknown`.' })
  sexes?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Age bands in the fact’s year: `0-4` … `85-89`, `90+`, `unknown`.',
  })
  ageBands?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Patients’ ZIP3s (`000`: the low-population prefixes).',
  })
  zip3s?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Encounter classes: `IMP` (inpatient), `AMB`, `EMER`, `VR`…',
  })
  encounterClasses?: string[];
}

@InputType({ description: 'A count (or rate) question answered with differential privacy.' })
export class CountQuestionInput {
  @Field(() => String, {
    description:
      'Your key for this question (1–200 characters): asking again with the same key returns the same answer without spending budget; another question under a used key is CONFLICT.',
  })
  requestKey!: string;

  @Field(() => CohortFilterInput, {
    nullable: true,
    description: 'Who counts (none: every patient with a fact in the years asked).',
  })
  filter?: CohortFilterInput;

  @Field(() => [DimensionCode], {
    nullable: true,
    description: 'At most 3; the cells are every combination of their values.',
  })
  groupBy?: DimensionCode[];

  @Field(() => Int, { description: 'First year counted.' })
  yearFrom!: number;

  @Field(() => Int, { description: 'Last year counted (at most 30 years).' })
  yearTo!: number;

  @Field(() => Float, {
    description:
      'The privacy loss this answer spends from your budget (above 0, at most OPEN_DATA_MAX_QUERY_EPSILON). Smaller: noisier.',
  })
  epsilon!: number;

  @Field(() => CohortFilterInput, {
    nullable: true,
    description:
      'With it, each cell also gives the count of this cohort and the rate filter ÷ rateOf (epsilon split equally).',
  })
  rateOf?: CohortFilterInput;
}
