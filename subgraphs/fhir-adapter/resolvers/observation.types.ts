import { Field, Int, ObjectType } from 'type-graphql';
import {
  ClinicalResource,
  CodeableConcept,
  Period,
  Quantity,
  QuantityRange,
} from './clinical-common.types.js';

@ObjectType({
  description:
    'An observed value (FHIR value[x]): exactly one field is set, by the kind recorded. Ratio and SampledData values are only in `fhir`.',
})
export class ObservationValue {
  @Field(() => Quantity, { nullable: true, description: 'A measured amount.' })
  quantity!: Quantity | null;

  @Field(() => CodeableConcept, { nullable: true, description: 'A coded result.' })
  codeableConcept!: CodeableConcept | null;

  @Field(() => String, { nullable: true, description: 'A text result.' })
  string!: string | null;

  @Field(() => Boolean, { nullable: true, description: 'A yes/no result.' })
  boolean!: boolean | null;

  @Field(() => Int, { nullable: true, description: 'A whole-number result.' })
  integer!: number | null;

  @Field(() => QuantityRange, { nullable: true, description: 'A range result.' })
  range!: QuantityRange | null;

  @Field(() => String, {
    nullable: true,
    description: 'A date/time or time-of-day result, as recorded.',
  })
  dateTime!: string | null;

  @Field(() => Period, { nullable: true, description: 'A period result.' })
  period!: Period | null;
}

@ObjectType({
  description: 'One part of a multi-part observation, e.g. the systolic of a blood pressure.',
})
export class ObservationComponent {
  @Field(() => CodeableConcept, { nullable: true, description: 'What the part is (LOINC).' })
  code!: CodeableConcept | null;

  @Field(() => ObservationValue, {
    nullable: true,
    description: 'Its value; null if not recorded.',
  })
  value!: ObservationValue | null;

  @Field(() => CodeableConcept, {
    nullable: true,
    description: 'Why the value is missing, if it is.',
  })
  dataAbsentReason!: CodeableConcept | null;

  @Field(() => [CodeableConcept], { description: 'High, low, normal, … flags.' })
  interpretations!: CodeableConcept[];
}

@ObjectType({ description: 'A range of normal or recommended values for an observation.' })
export class ObservationReferenceRange {
  @Field(() => Quantity, { nullable: true, description: 'Low bound.' })
  low!: Quantity | null;

  @Field(() => Quantity, { nullable: true, description: 'High bound.' })
  high!: Quantity | null;

  @Field(() => String, { nullable: true, description: 'The range in words.' })
  text!: string | null;
}

@ObjectType({
  implements: ClinicalResource,
  description: 'A measurement or finding: vital signs, laboratory results, … (FHIR Observation).',
})
export class Observation extends ClinicalResource {
  @Field(() => [CodeableConcept], {
    description: 'Categories, e.g. vital-signs or laboratory.',
  })
  categories!: CodeableConcept[];

  @Field(() => CodeableConcept, { nullable: true, description: 'What was observed (LOINC).' })
  code!: CodeableConcept | null;

  @Field(() => Period, {
    nullable: true,
    description: 'When it was clinically relevant; a single recorded time gives start = end.',
  })
  effective!: Period | null;

  @Field(() => String, {
    nullable: true,
    description: 'When the result was released: a FHIR instant as recorded.',
  })
  issued!: string | null;

  @Field(() => ObservationValue, {
    nullable: true,
    description: 'The value; null if not recorded (see dataAbsentReason) or a panel.',
  })
  value!: ObservationValue | null;

  @Field(() => CodeableConcept, {
    nullable: true,
    description: 'Why the value is missing, if it is.',
  })
  dataAbsentReason!: CodeableConcept | null;

  @Field(() => [ObservationComponent], {
    description: 'Parts, e.g. systolic and diastolic of a blood pressure.',
  })
  components!: ObservationComponent[];

  @Field(() => [CodeableConcept], { description: 'High, low, normal, … flags.' })
  interpretations!: CodeableConcept[];

  @Field(() => [ObservationReferenceRange], { description: 'Normal or recommended ranges.' })
  referenceRanges!: ObservationReferenceRange[];

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed encounter it was observed in, if any.',
  })
  encounterId!: string | null;
}

@ObjectType({
  implements: ClinicalResource,
  description:
    'A report of diagnostic results, such as a laboratory panel (FHIR DiagnosticReport).',
})
export class DiagnosticReport extends ClinicalResource {
  @Field(() => [CodeableConcept], { description: 'Categories, e.g. LAB or RAD.' })
  categories!: CodeableConcept[];

  @Field(() => CodeableConcept, { nullable: true, description: 'What the report is (LOINC).' })
  code!: CodeableConcept | null;

  @Field(() => Period, {
    nullable: true,
    description: 'When it was clinically relevant; a single recorded time gives start = end.',
  })
  effective!: Period | null;

  @Field(() => String, {
    nullable: true,
    description: 'When it was released: a FHIR instant as recorded.',
  })
  issued!: string | null;

  @Field(() => [String], {
    description:
      'Ids of its result Observations in Carefed, in report order; results not matched to a Carefed observation are left out.',
  })
  resultIds!: string[];

  @Field(() => String, { nullable: true, description: 'The clinical conclusion in words.' })
  conclusion!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed encounter it belongs to, if any.',
  })
  encounterId!: string | null;
}
