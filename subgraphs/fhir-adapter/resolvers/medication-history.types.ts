import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { ClinicalResource, CodeableConcept, Period } from './clinical-common.types.js';

export enum MedicationRecordKind {
  REQUEST = 'REQUEST',
  STATEMENT = 'STATEMENT',
}
registerEnumType(MedicationRecordKind, {
  name: 'MedicationRecordKind',
  description:
    'REQUEST: a prescription or order (FHIR MedicationRequest). STATEMENT: a report that the patient takes or took it (FHIR MedicationStatement).',
});

@ObjectType({
  implements: ClinicalResource,
  description:
    'A medication in the patient’s history, as written by other systems: an order (FHIR MedicationRequest) or a statement of use (FHIR MedicationStatement).',
})
export class MedicationRecord extends ClinicalResource {
  @Field(() => MedicationRecordKind, { description: 'Order or statement.' })
  kind!: MedicationRecordKind;

  @Field(() => CodeableConcept, {
    nullable: true,
    description:
      'The medication (RxNorm); a referenced Medication resource appears by its display text only.',
  })
  medication!: CodeableConcept | null;

  @Field(() => [CodeableConcept], { description: 'Categories, e.g. community or inpatient.' })
  categories!: CodeableConcept[];

  @Field(() => String, {
    nullable: true,
    description: 'Orders only: proposal, plan, order, original-order, …',
  })
  intent!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Orders only: when it was written, a FHIR dateTime as recorded.',
  })
  authoredOn!: string | null;

  @Field(() => Period, {
    nullable: true,
    description:
      'Statements only: when the medication is or was taken; a single recorded time gives start = end.',
  })
  effective!: Period | null;

  @Field(() => [String], {
    description:
      'How to take it, one line per dosage: its text, or when it has none a summary of its dose and timing.',
  })
  dosageText!: string[];

  @Field(() => [CodeableConcept], {
    description: 'Why: coded reasons, then referenced conditions by their display text.',
  })
  reasons!: CodeableConcept[];

  @Field(() => String, {
    nullable: true,
    description:
      'Orders: the prescribing practitioner; statements: the practitioner who reported it (scheduling’s practitioner id), when matched in Carefed.',
  })
  requesterId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed encounter it was written in, if any.',
  })
  encounterId!: string | null;
}
