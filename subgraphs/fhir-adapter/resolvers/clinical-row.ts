/**
 * The clinical resource types the FHIR adapter serves, and the stored row the
 * GraphQL mappers read. The same union lives in `domain/clinical-kinds.ts`;
 * this file only restates it so the GraphQL layer builds on its own, and is
 * meant to become a re-export of it.
 */
export const CLINICAL_TYPES = [
  'Encounter',
  'Condition',
  'AllergyIntolerance',
  'Immunization',
  'Procedure',
  'Observation',
  'DiagnosticReport',
  'DocumentReference',
  'CarePlan',
  'Device',
  'MedicationRequest',
  'MedicationStatement',
] as const;
export type ClinicalType = (typeof CLINICAL_TYPES)[number];

/** One stored clinical resource, decrypted. */
export interface ClinicalRow {
  id: string;
  type: ClinicalType;
  patientId: string;
  /** meta.versionId as a number, from 1. */
  version: number;
  lastUpdated: Date;
  /** The status as stored (Condition and AllergyIntolerance: the clinical status, or entered-in-error). */
  status: string | null;
  /** Security label codes (HL7 v3 ActCode sensitivity codes such as `ETH`). */
  labels: readonly string[];
  /** The FHIR R4 JSON, meta included. */
  resource: Record<string, unknown>;
}
