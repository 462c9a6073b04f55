import { Field, ObjectType } from 'type-graphql';
import { ClinicalResource, CodeableConcept } from './clinical-common.types.js';

const FHIR_DATE = 'a FHIR date/dateTime as recorded (may be partial, e.g. "2019-04")';

@ObjectType({
  implements: ClinicalResource,
  description: 'A problem, diagnosis or health concern (FHIR Condition).',
})
export class Condition extends ClinicalResource {
  @Field(() => String, {
    nullable: true,
    description:
      'Clinical status code: active, recurrence, relapse, inactive, remission or resolved; null when entered in error.',
  })
  clinicalStatus!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Verification status code: unconfirmed, provisional, differential, confirmed, refuted or entered-in-error.',
  })
  verificationStatus!: string | null;

  @Field(() => [CodeableConcept], {
    description: 'Categories, e.g. problem-list-item or encounter-diagnosis.',
  })
  categories!: CodeableConcept[];

  @Field(() => CodeableConcept, {
    nullable: true,
    description: 'The condition (SNOMED CT or ICD-10-CM).',
  })
  code!: CodeableConcept | null;

  @Field(() => CodeableConcept, { nullable: true, description: 'Severity, as assessed.' })
  severity!: CodeableConcept | null;

  @Field(() => String, {
    nullable: true,
    description: `Onset: ${FHIR_DATE}, or free text; null if not recorded.`,
  })
  onset!: string | null;

  @Field(() => String, {
    nullable: true,
    description: `When it resolved or went into remission: ${FHIR_DATE}, or free text; null if not recorded.`,
  })
  abatement!: string | null;

  @Field(() => String, {
    nullable: true,
    description: `When it was recorded: ${FHIR_DATE}; null if not recorded.`,
  })
  recordedDate!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed encounter it was recorded in, if any.',
  })
  encounterId!: string | null;

  @Field(() => [String], { description: 'Notes, as written.' })
  notes!: string[];
}

@ObjectType({ description: 'A reaction to an allergen or intolerance (FHIR reaction).' })
export class AllergyReaction {
  @Field(() => [CodeableConcept], { description: 'Signs and symptoms, e.g. hives.' })
  manifestations!: CodeableConcept[];

  @Field(() => String, { nullable: true, description: 'Severity: mild, moderate or severe.' })
  severity!: string | null;

  @Field(() => String, { nullable: true, description: 'The reaction in words.' })
  description!: string | null;

  @Field(() => CodeableConcept, {
    nullable: true,
    description: 'The specific substance, when it differs from the allergy’s code.',
  })
  substance!: CodeableConcept | null;

  @Field(() => String, {
    nullable: true,
    description: `When it began: ${FHIR_DATE}; null if not recorded.`,
  })
  onset!: string | null;
}

@ObjectType({
  implements: ClinicalResource,
  description: 'An allergy or intolerance to a substance (FHIR AllergyIntolerance).',
})
export class AllergyIntolerance extends ClinicalResource {
  @Field(() => String, {
    nullable: true,
    description: 'Clinical status code: active, inactive or resolved; null when entered in error.',
  })
  clinicalStatus!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Verification status code: unconfirmed, confirmed, refuted or entered-in-error.',
  })
  verificationStatus!: string | null;

  @Field(() => String, { nullable: true, description: 'allergy or intolerance.' })
  type!: string | null;

  @Field(() => [String], {
    description: 'Categories of the substance: food, medication, environment, biologic.',
  })
  categories!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'Potential for a serious reaction: low, high or unable-to-assess.',
  })
  criticality!: string | null;

  @Field(() => CodeableConcept, { nullable: true, description: 'The substance or class.' })
  code!: CodeableConcept | null;

  @Field(() => [AllergyReaction], { description: 'Reactions recorded.' })
  reactions!: AllergyReaction[];

  @Field(() => String, {
    nullable: true,
    description: `Onset: ${FHIR_DATE}, or free text; null if not recorded.`,
  })
  onset!: string | null;

  @Field(() => String, {
    nullable: true,
    description: `When it was recorded: ${FHIR_DATE}; null if not recorded.`,
  })
  recordedDate!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed encounter it was recorded in, if any.',
  })
  encounterId!: string | null;

  @Field(() => [String], { description: 'Notes, as written.' })
  notes!: string[];
}
