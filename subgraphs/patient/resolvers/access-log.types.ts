import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../../platform/federation/connection.js';

@ObjectType({ description: 'One access to a patient’s record, from the tamper-evident audit log.' })
export class AccessLogEntry {
  @Field(() => Int, { description: 'Position in the audit log (append order).' })
  seq!: number;

  @Field(() => Date, { description: 'When it happened.' })
  occurredAt!: Date;

  @Field(() => String, { description: 'Who: the subject of the token.' })
  actor!: string;

  @Field(() => [String], { description: 'The actor’s roles.' })
  actorRoles!: string[];

  @Field(() => String, { description: 'The app (OAuth client) used.' })
  clientId!: string;

  @Field(() => String, {
    description: 'What was done: read, search, create, update, emergency-access…',
  })
  action!: string;

  @Field(() => String, { description: 'What was touched (FHIR resource type).' })
  resourceType!: string;

  @Field(() => String, { description: 'Why: the purpose of use.' })
  purpose!: string;

  @Field(() => String, { description: 'permit, deny or error.' })
  outcome!: string;

  @Field(() => Boolean, { description: 'Whether this was break-the-glass emergency access.' })
  emergency!: boolean;

  @Field(() => String, { description: 'Request id, to correlate with logs.' })
  requestId!: string;

  /** Whose log this entry is in (not a field: the proof resolver reads it). */
  patientId!: string;
}

@ObjectType({ description: 'Who accessed a record, newest first.' })
export class AccessLogConnection extends Connection(
  AccessLogEntry,
  'AccessLog',
  'access log entry',
) {}

@ObjectType({ description: 'The caller, as the API sees them.' })
export class Me {
  @Field(() => ID, { description: 'Subject of the token.' })
  subject!: string;

  @Field(() => [String], { description: 'Roles.' })
  roles!: string[];

  @Field(() => [String], { description: 'SMART scopes granted.' })
  scopes!: string[];

  @Field(() => String, { description: 'The app (OAuth client).' })
  clientId!: string;

  @Field(() => ID, { nullable: true, description: 'Practitioner id, for clinicians.' })
  practitionerId?: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Patient id, for patients and patient-facing apps.',
  })
  patientId?: string;
}
