import { Field, ObjectType } from 'type-graphql';
import { ClinicalResource, CodeableConcept, Coding, Period } from './clinical-common.types.js';

@ObjectType({
  implements: ClinicalResource,
  description: 'A visit or other interaction with the patient (FHIR Encounter).',
})
export class Encounter extends ClinicalResource {
  @Field(() => Coding, {
    nullable: true,
    description: 'The setting (v3 ActCode): AMB ambulatory, EMER emergency, IMP inpatient, …',
  })
  class!: Coding | null;

  @Field(() => [CodeableConcept], { description: 'The kinds of encounter, e.g. a check-up.' })
  types!: CodeableConcept[];

  @Field(() => Period, { nullable: true, description: 'When it started and ended.' })
  period!: Period | null;

  @Field(() => [CodeableConcept], { description: 'Why it took place (reasonCode).' })
  reasons!: CodeableConcept[];

  @Field(() => CodeableConcept, { nullable: true, description: 'The service provided.' })
  serviceType!: CodeableConcept | null;

  @Field(() => [String], {
    description:
      'Ids of the participating practitioners (scheduling’s practitioner ids), in recorded order; participants not matched to a Carefed practitioner are left out.',
  })
  participantIds!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'The first participating practitioner’s id, if any.',
  })
  practitionerId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed appointment this encounter took place for, if recorded.',
  })
  appointmentId!: string | null;

  @Field(() => [String], {
    description:
      'Keys of the locations where it took place (FHIR Location ids, or the identifier an EHR named them by), in recorded order.',
  })
  locationIds!: string[];
}
