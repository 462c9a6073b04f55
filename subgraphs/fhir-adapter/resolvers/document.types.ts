import { Field, Int, ObjectType } from 'type-graphql';
import { ClinicalResource, CodeableConcept, Period } from './clinical-common.types.js';

@ObjectType({ description: 'One attachment of a document: its format and, for text, its text.' })
export class DocumentContent {
  @Field(() => String, {
    nullable: true,
    description: 'MIME type, e.g. text/plain; charset=utf-8.',
  })
  contentType!: string | null;

  @Field(() => String, { nullable: true, description: 'The attachment’s title.' })
  title!: string | null;

  @Field(() => Int, { nullable: true, description: 'Size in bytes, as recorded.' })
  size!: number | null;

  @Field(() => String, { nullable: true, description: 'Language (BCP 47), e.g. en-US.' })
  language!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The text, decoded from the inline data, when the content type is text/*; null for other types or when the data is held elsewhere (see url).',
  })
  text!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Where the data can be fetched, if not inline.',
  })
  url!: string | null;
}

@ObjectType({
  implements: ClinicalResource,
  description: 'A clinical document such as a note or report (FHIR DocumentReference).',
})
export class DocumentReference extends ClinicalResource {
  @Field(() => String, {
    nullable: true,
    description: 'The document’s own status: preliminary, final, amended or entered-in-error.',
  })
  docStatus!: string | null;

  @Field(() => CodeableConcept, {
    nullable: true,
    description: 'The kind of document (LOINC), e.g. a progress note.',
  })
  type!: CodeableConcept | null;

  @Field(() => [CodeableConcept], { description: 'Categories, e.g. clinical-note.' })
  categories!: CodeableConcept[];

  @Field(() => String, {
    nullable: true,
    description: 'When the document was written: a FHIR instant as recorded.',
  })
  date!: string | null;

  @Field(() => String, { nullable: true, description: 'A short description.' })
  description!: string | null;

  @Field(() => Period, { nullable: true, description: 'The care it documents (context.period).' })
  period!: Period | null;

  @Field(() => [DocumentContent], { description: 'Its attachments.' })
  contents!: DocumentContent[];

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed encounter it documents, if any.',
  })
  encounterId!: string | null;
}

@ObjectType({ description: 'A planned activity of a care plan.' })
export class CarePlanActivity {
  @Field(() => CodeableConcept, { nullable: true, description: 'What is to be done.' })
  code!: CodeableConcept | null;

  @Field(() => String, {
    nullable: true,
    description: 'Progress: not-started, scheduled, in-progress, on-hold, completed, cancelled, …',
  })
  status!: string | null;

  @Field(() => String, { nullable: true, description: 'The activity in words.' })
  description!: string | null;
}

@ObjectType({
  implements: ClinicalResource,
  description: 'A plan of care for the patient (FHIR CarePlan).',
})
export class CarePlan extends ClinicalResource {
  @Field(() => String, {
    nullable: true,
    description: 'proposal, plan, order or option.',
  })
  intent!: string | null;

  @Field(() => [CodeableConcept], { description: 'Categories, e.g. assess-plan.' })
  categories!: CodeableConcept[];

  @Field(() => Period, { nullable: true, description: 'The time the plan covers.' })
  period!: Period | null;

  @Field(() => String, { nullable: true, description: 'Title.' })
  title!: string | null;

  @Field(() => String, { nullable: true, description: 'The plan in words.' })
  description!: string | null;

  @Field(() => [CarePlanActivity], { description: 'Its planned activities.' })
  activities!: CarePlanActivity[];

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed encounter it was made in, if any.',
  })
  encounterId!: string | null;
}
