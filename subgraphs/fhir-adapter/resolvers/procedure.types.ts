import { Field, ObjectType } from 'type-graphql';
import { ClinicalResource, CodeableConcept, Period } from './clinical-common.types.js';

@ObjectType({
  implements: ClinicalResource,
  description: 'A procedure performed on the patient (FHIR Procedure).',
})
export class Procedure extends ClinicalResource {
  @Field(() => CodeableConcept, { nullable: true, description: 'The procedure.' })
  code!: CodeableConcept | null;

  @Field(() => Period, {
    nullable: true,
    description: 'When it was performed; a single recorded time gives start = end.',
  })
  performed!: Period | null;

  @Field(() => [CodeableConcept], {
    description:
      'Why it was performed: coded reasons, then referenced conditions by their display text.',
  })
  reasons!: CodeableConcept[];

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed encounter it was performed in, if any.',
  })
  encounterId!: string | null;
}

@ObjectType({
  implements: ClinicalResource,
  description: 'A vaccine given, or reported given (FHIR Immunization).',
})
export class Immunization extends ClinicalResource {
  @Field(() => CodeableConcept, { nullable: true, description: 'The vaccine (CVX).' })
  vaccineCode!: CodeableConcept | null;

  @Field(() => String, {
    nullable: true,
    description:
      'When it was given: a FHIR date/dateTime as recorded (may be partial), or free text.',
  })
  occurrence!: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'True if recorded by whoever gave it; false if reported by someone else.',
  })
  primarySource!: boolean | null;

  @Field(() => String, { nullable: true, description: 'The vaccine’s lot number.' })
  lotNumber!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The Carefed encounter it was given in, if any.',
  })
  encounterId!: string | null;
}

@ObjectType({ description: 'A device’s unique device identifier (UDI) as on its label.' })
export class DeviceUdiCarrier {
  @Field(() => String, {
    nullable: true,
    description: 'The device identifier (DI) part of the UDI.',
  })
  deviceIdentifier!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The full UDI in human-readable form (carrierHRF).',
  })
  carrierHRF!: string | null;
}

@ObjectType({
  implements: ClinicalResource,
  description: 'A device used by or implanted in the patient (FHIR Device).',
})
export class Device extends ClinicalResource {
  @Field(() => CodeableConcept, { nullable: true, description: 'The kind of device.' })
  type!: CodeableConcept | null;

  @Field(() => [String], { description: 'Names of the device, as recorded.' })
  deviceNames!: string[];

  @Field(() => DeviceUdiCarrier, {
    nullable: true,
    description: 'The first UDI recorded (the whole list is in `fhir`).',
  })
  udiCarrier!: DeviceUdiCarrier | null;

  @Field(() => String, {
    nullable: true,
    description: 'The distinct identification string (for HCT/P products).',
  })
  distinctIdentifier!: string | null;

  @Field(() => String, { nullable: true, description: 'The manufacturer’s name.' })
  manufacturer!: string | null;

  @Field(() => String, { nullable: true, description: 'Lot number.' })
  lotNumber!: string | null;

  @Field(() => String, { nullable: true, description: 'Serial number.' })
  serialNumber!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'When it was made: a FHIR dateTime as recorded.',
  })
  manufactureDate!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'When it expires: a FHIR dateTime as recorded.',
  })
  expirationDate!: string | null;
}
