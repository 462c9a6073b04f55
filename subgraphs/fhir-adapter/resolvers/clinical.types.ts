import { Encounter } from './encounter.types.js';
import { AllergyIntolerance, Condition } from './condition.types.js';
import { CarePlan, DocumentReference } from './document.types.js';
import { MedicationRecord } from './medication-history.types.js';
import { DiagnosticReport, Observation } from './observation.types.js';
import { Device, Immunization, Procedure } from './procedure.types.js';

export { ClinicalResource } from './clinical-common.types.js';
export {
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
};

/** Every object type implementing ClinicalResource: pass as `orphanedTypes` so each is in the schema. */
export const CLINICAL_OBJECT_TYPES = [
  Encounter,
  Condition,
  AllergyIntolerance,
  Immunization,
  Procedure,
  Observation,
  DiagnosticReport,
  DocumentReference,
  CarePlan,
  Device,
  MedicationRecord,
] as const;

/** The GraphQL shape of any clinical resource. */
export type ClinicalObject =
  | Encounter
  | Condition
  | AllergyIntolerance
  | Immunization
  | Procedure
  | Observation
  | DiagnosticReport
  | DocumentReference
  | CarePlan
  | Device
  | MedicationRecord;
