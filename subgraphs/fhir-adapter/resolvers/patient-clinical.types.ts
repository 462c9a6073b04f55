import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../../platform/federation/connection.js';
import {
  AllergyIntolerance,
  CarePlan,
  Condition,
  Device,
  DiagnosticReport,
  DocumentReference,
  Encounter,
  Immunization,
  MedicationRecord,
  Observation,
  Procedure,
} from './clinical.types.js';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A patient, with the clinical record this subgraph holds for them.' })
export class Patient {
  @Field(() => ID, { description: 'Patient id.' })
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A practitioner (resolved by the scheduling subgraph).' })
export class Practitioner {
  @Field(() => ID, { description: 'Practitioner id.' })
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'An appointment (resolved by the scheduling subgraph).' })
export class Appointment {
  @Field(() => ID, { description: 'Appointment id.' })
  id!: string;
}

@ObjectType({ description: 'Encounters, newest first.' })
export class EncounterConnection extends Connection(Encounter, 'Encounter', 'encounter') {}
@ObjectType({ description: 'Conditions, newest first.' })
export class ConditionConnection extends Connection(Condition, 'Condition', 'condition') {}
@ObjectType({ description: 'Allergies and intolerances, newest first.' })
export class AllergyConnection extends Connection(AllergyIntolerance, 'Allergy', 'allergy') {}
@ObjectType({ description: 'Immunizations, newest first.' })
export class ImmunizationConnection extends Connection(
  Immunization,
  'Immunization',
  'immunization',
) {}
@ObjectType({ description: 'Procedures, newest first.' })
export class ProcedureConnection extends Connection(Procedure, 'Procedure', 'procedure') {}
@ObjectType({ description: 'Observations, newest first.' })
export class ObservationConnection extends Connection(Observation, 'Observation', 'observation') {}
@ObjectType({ description: 'Diagnostic reports, newest first.' })
export class DiagnosticReportConnection extends Connection(
  DiagnosticReport,
  'DiagnosticReport',
  'report',
) {}
@ObjectType({ description: 'Clinical documents, newest first.' })
export class DocumentConnection extends Connection(DocumentReference, 'Document', 'document') {}
@ObjectType({ description: 'Care plans, newest first.' })
export class CarePlanConnection extends Connection(CarePlan, 'CarePlan', 'carePlan') {}
@ObjectType({ description: 'Devices, newest first.' })
export class DeviceConnection extends Connection(Device, 'Device', 'device') {}
@ObjectType({
  description: 'Medication history (orders and statements from other systems), newest first.',
})
export class MedicationRecordConnection extends Connection(
  MedicationRecord,
  'MedicationRecord',
  'medicationRecord',
) {}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({
  description: 'A facility (resolved by care routing, by its id or a FHIR Location id).',
})
export class Facility {
  @Field(() => ID, { description: 'Facility id or FHIR Location id.' })
  id!: string;
}
