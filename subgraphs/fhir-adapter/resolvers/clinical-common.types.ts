import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, InterfaceType, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A code from a code system (FHIR Coding).' })
export class Coding {
  @Field(() => String, {
    nullable: true,
    description: 'The code system URI, e.g. http://snomed.info/sct or http://loinc.org.',
  })
  system!: string | null;

  @Field(() => String, { nullable: true, description: 'The code within the system.' })
  code!: string | null;

  @Field(() => String, { nullable: true, description: 'The code’s display text, as recorded.' })
  display!: string | null;
}

@ObjectType({ description: 'A concept as codes and/or text (FHIR CodeableConcept).' })
export class CodeableConcept {
  @Field(() => String, { nullable: true, description: 'The concept as the author wrote it.' })
  text!: string | null;

  @Field(() => [Coding], { description: 'The codes for the concept, in recorded order.' })
  codings!: Coding[];
}

@ObjectType({
  description:
    'A time range (FHIR Period). Both ends are FHIR date or dateTime strings as recorded, which may be partial ("2019", "2019-04", "2019-04-12") or carry an offset ("2019-04-12T09:30:00-04:00").',
})
export class Period {
  @Field(() => String, {
    nullable: true,
    description: 'Start, a FHIR date/dateTime as recorded; null if unknown.',
  })
  start!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'End, a FHIR date/dateTime as recorded; null if ongoing or unknown.',
  })
  end!: string | null;
}

@ObjectType({ description: 'A measured amount (FHIR Quantity), UCUM-coded where recorded so.' })
export class Quantity {
  @Field(() => Float, { nullable: true, description: 'The numeric value.' })
  value!: number | null;

  @Field(() => String, { nullable: true, description: 'The unit as shown to people, e.g. mmHg.' })
  unit!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The unit’s code system, usually http://unitsofmeasure.org (UCUM).',
  })
  system!: string | null;

  @Field(() => String, { nullable: true, description: 'The unit’s code, e.g. mm[Hg].' })
  code!: string | null;
}

@ObjectType({ description: 'A range of quantities (FHIR Range); either end may be open.' })
export class QuantityRange {
  @Field(() => Quantity, { nullable: true, description: 'Low end, inclusive.' })
  low!: Quantity | null;

  @Field(() => Quantity, { nullable: true, description: 'High end, inclusive.' })
  high!: Quantity | null;
}

/** The GraphQL object type name a clinical resource maps to. */
export function clinicalTypeName(resourceType: string): string {
  return resourceType === 'MedicationRequest' || resourceType === 'MedicationStatement'
    ? 'MedicationRecord'
    : resourceType;
}

@InterfaceType({
  description:
    'A resource of the patient’s clinical record, stored as FHIR R4. Typed fields carry what a clinician reads; `fhir` holds the whole resource.',
  resolveType: (value: ClinicalResource) => clinicalTypeName(value.resourceType),
})
export abstract class ClinicalResource {
  @Field(() => ID, { description: 'The resource’s Carefed id (its FHIR id).' })
  id!: string;

  @Field(() => String, {
    description: 'The FHIR resource type, e.g. Condition or MedicationRequest.',
  })
  resourceType!: string;

  @Field(() => Int, { description: 'The version (FHIR meta.versionId), from 1.' })
  version!: number;

  @Field(() => Date, { description: 'When this version was stored (FHIR meta.lastUpdated).' })
  lastUpdated!: Date;

  @Field(() => String, {
    nullable: true,
    description:
      'The status: the resource’s own status code; for Condition and AllergyIntolerance the clinical status, or entered-in-error.',
  })
  status!: string | null;

  @Field(() => [Coding], {
    description: 'Security labels (FHIR meta.security), e.g. ETH for substance-use records.',
  })
  securityLabels!: Coding[];

  @Field(() => GraphQLJSONObject, {
    description:
      'The whole FHIR R4 resource as JSON, with its id and meta. References to Carefed records read Patient/<id>, Encounter/<id>, Practitioner/<id>, Observation/<id>; others are kept as written.',
  })
  fhir!: Record<string, unknown>;

  /** Internal: the patient the record belongs to. */
  patientId!: string;
}
