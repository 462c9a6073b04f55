import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../../platform/federation/connection.js';

export enum GenderCode {
  male = 'male',
  female = 'female',
  other = 'other',
  unknown = 'unknown',
}
registerEnumType(GenderCode, {
  name: 'Gender',
  description: 'Administrative gender (FHIR AdministrativeGender).',
});

export enum ContactSystem {
  phone = 'phone',
  email = 'email',
  sms = 'sms',
  other = 'other',
}
registerEnumType(ContactSystem, { name: 'ContactSystem', description: 'Kind of contact point.' });

@ObjectType({ description: 'A person name (FHIR HumanName).' })
export class HumanName {
  @Field(() => String, { description: 'Family name (surname).' })
  family!: string;

  @Field(() => [String], { description: 'Given names, in order.' })
  given!: string[];

  @Field(() => String, { description: 'The full name as usually written.' })
  text!: string;
}

@ObjectType({ description: 'A phone number, email address or other contact point.' })
export class ContactPoint {
  @Field(() => ContactSystem, { description: 'Kind of contact point.' })
  system!: ContactSystem;

  @Field(() => String, { description: 'The number or address.' })
  value!: string;

  @Field(() => String, { nullable: true, description: 'home, work, mobile, temp or old.' })
  use?: string;
}

@ObjectType({ description: 'A postal address.' })
export class Address {
  @Field(() => [String], { description: 'Street lines.' })
  line!: string[];

  @Field(() => String, { nullable: true, description: 'City.' })
  city?: string;

  @Field(() => String, { nullable: true, description: 'State or region.' })
  state?: string;

  @Field(() => String, { nullable: true, description: 'Postal code.' })
  postalCode?: string;

  @Field(() => String, { nullable: true, description: 'Country.' })
  country?: string;
}

@ObjectType({ description: 'An identifier of the patient in some system.' })
export class Identifier {
  @Field(() => String, { description: 'The namespace of the value (a URI).' })
  system!: string;

  @Field(() => String, { description: 'The identifier.' })
  value!: string;
}

/** The demographic fields a patient record and each of its history versions share (not in the schema itself). */
@ObjectType({ description: 'Demographic fields of a patient record.' })
export abstract class PatientFields {
  @Field(() => ID, { description: 'Stable id (FHIR logical id).' })
  id!: string;

  @Field(() => Int, { description: 'Record version; send it back with updates.' })
  version!: number;

  @Field(() => String, { nullable: true, description: 'Medical record number.' })
  mrn?: string;

  @Field(() => HumanName, { nullable: true, description: 'Official name.' })
  name?: HumanName;

  @Field(() => String, { nullable: true, description: 'Birth date, YYYY-MM-DD.' })
  birthDate?: string;

  @Field(() => GenderCode, { nullable: true, description: 'Administrative gender.' })
  gender?: GenderCode;

  @Field(() => [ContactPoint], {
    nullable: true,
    description: 'Phone numbers and email addresses.',
  })
  telecom?: ContactPoint[];

  @Field(() => [Address], { nullable: true, description: 'Postal addresses.' })
  address?: Address[];

  @Field(() => [Identifier], {
    nullable: true,
    description: 'Other identifiers (e.g. Synthea, SSN-like ids).',
  })
  identifiers?: Identifier[];

  @Field(() => String, { nullable: true, description: 'Organisation that manages the record.' })
  managingOrganizationId?: string | null;

  @Field(() => Boolean, { description: 'Whether the record is in active use.' })
  active!: boolean;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A patient (FHIR Patient). Demographics are PHI: encrypted at rest, read under role, scope, care-team and consent checks, and every read is audited.',
})
export class Patient extends PatientFields {}

@ObjectType({ description: 'A patient record as it was at one version (demographics only).' })
export class PatientSnapshot extends PatientFields {}

@ObjectType({ description: 'A page of patients the caller may see.' })
export class PatientConnection extends Connection(Patient, 'Patient', 'patient') {}

@ObjectType({ description: 'One version of a patient record: what it held and who recorded it.' })
export class PatientRevision {
  @Field(() => Int, { description: 'Version number.' })
  version!: number;

  @Field(() => Date, { description: 'When it was recorded.' })
  recordedAt!: Date;

  @Field(() => String, { description: 'Who recorded it (token subject).' })
  recordedBy!: string;

  @Field(() => PatientSnapshot, { description: 'The record as it was.' })
  record!: PatientSnapshot;
}
