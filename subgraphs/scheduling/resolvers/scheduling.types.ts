import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../../../platform/federation/connection.js';

export enum AppointmentStatusCode {
  proposed = 'proposed',
  booked = 'booked',
  arrived = 'arrived',
  fulfilled = 'fulfilled',
  cancelled = 'cancelled',
  noshow = 'noshow',
}
registerEnumType(AppointmentStatusCode, {
  name: 'AppointmentStatus',
  description:
    'FHIR Appointment status: proposed → booked → arrived → fulfilled; or cancelled, noshow.',
});

@ObjectType({ description: 'A practitioner’s name.' })
export class PractitionerName {
  @Field(() => String, { description: 'Family name.' })
  family!: string;

  @Field(() => [String], { description: 'Given names.' })
  given!: string[];

  @Field(() => String, { description: 'As usually written, with prefix.' })
  text!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({
  description:
    'A facility of the directory (resolved by care routing, by its id or a FHIR Location id).',
})
export class Facility {
  @Field(() => ID, { description: 'Facility id or FHIR Location id.' })
  id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A practitioner who can be booked (public directory data, not PHI).' })
export class Practitioner {
  @Field(() => ID, { description: 'Practitioner id (FHIR logical id).' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'National Provider Identifier.' })
  npi?: string;

  @Field(() => PractitionerName, { nullable: true, description: 'Name.' })
  name?: PractitionerName;

  @Field(() => [String], { nullable: true, description: 'Specialties (NUCC taxonomy names).' })
  specialties?: string[];

  @Field(() => [ID], {
    nullable: true,
    description: 'Facilities where they work (keys owned by care routing).',
  })
  facilityIds?: string[];
  @Field(() => [Facility], {
    nullable: true,
    description:
      'Facilities where they work (care routing’s directory; null where it knows no such facility).',
  })
  facilities?: (Facility | null)[];
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A patient, with the appointments this subgraph holds for them.' })
export class Patient {
  @Field(() => ID, { description: 'Patient id.' })
  id!: string;
}

@ObjectType({ description: 'A bookable slot: a free range of a practitioner’s time.' })
export class Slot {
  @Field(() => ID, { description: 'The practitioner.' })
  practitionerId!: string;

  @Field(() => Practitioner, { description: 'The practitioner.' })
  practitioner!: Practitioner;

  @Field(() => ID, { description: 'The facility.' })
  facilityId!: string;

  @Field(() => Facility, {
    nullable: true,
    description: 'The facility (care routing’s directory; null where it knows no such facility).',
  })
  facility?: Facility | null;

  @Field(() => Date, { description: 'Start (UTC).' })
  start!: Date;

  @Field(() => Date, { description: 'End (UTC).' })
  end!: Date;

  @Field(() => String, { description: 'The facility’s IANA time zone.' })
  timeZone!: string;

  @Field(() => String, { description: 'Start on the facility’s wall clock, ISO 8601 with offset.' })
  localStart!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description: 'An appointment (FHIR Appointment): PHI, read under role, scope, consent and audit.',
})
export class Appointment {
  @Field(() => ID, { description: 'Appointment id.' })
  id!: string;

  @Field(() => AppointmentStatusCode, { description: 'Status.' })
  status!: AppointmentStatusCode;

  @Field(() => Date, { description: 'Start (UTC).' })
  start!: Date;

  @Field(() => Date, { description: 'End (UTC).' })
  end!: Date;

  @Field(() => String, { description: 'The facility’s IANA time zone.' })
  timeZone!: string;

  @Field(() => String, { description: 'Start on the facility’s wall clock, ISO 8601 with offset.' })
  localStart!: string;

  @Field(() => String, { description: 'End on the facility’s wall clock, ISO 8601 with offset.' })
  localEnd!: string;

  @Field(() => ID, { description: 'The facility.' })
  facilityId!: string;

  @Field(() => Facility, {
    nullable: true,
    description: 'The facility (care routing’s directory; null where it knows no such facility).',
  })
  facility?: Facility | null;

  @Field(() => ID, { description: 'The practitioner.' })
  practitionerId!: string;

  @Field(() => Practitioner, { description: 'The practitioner.' })
  practitioner!: Practitioner;

  @Field(() => Patient, {
    description: 'The patient (resolved with the patient subgraph’s own checks).',
  })
  patient!: Patient;

  @Field(() => Int, { description: 'Version; changes with every status or time change.' })
  version!: number;

  /** Internal: the patient id, for the patient reference and access checks. */
  patientId!: string;

  /** Internal: the encrypted reason, decrypted only for roles that may see it. */
  reasonCipher?: string | null;
}

@ObjectType({ description: 'A page of appointments, newest first.' })
export class AppointmentConnection extends Connection(Appointment, 'Appointment', 'appointment') {}
