import type { ClinicalRow } from './clinical-row.js';
import type { ClinicalObject } from './clinical.types.js';
import type { AllergyIntolerance, AllergyReaction, Condition } from './condition.types.js';
import type { Encounter } from './encounter.types.js';
import type { Device, Immunization, Procedure } from './procedure.types.js';
import { clinicalBase, reasons } from './clinical-base.js';
import { toCarePlan, toDocumentReference, toMedicationRecord } from './document.mapper.js';
import { toDiagnosticReport, toObservation } from './observation.mapper.js';
import {
  bool,
  coding,
  concept,
  concepts,
  firstCode,
  list,
  notes,
  obj,
  period,
  pointPeriod,
  refId,
  refIds,
  locationKey,
  str,
  strings,
  type Json,
} from './fhir-read.js';

export { toCarePlan, toDocumentReference, toMedicationRecord, toDiagnosticReport, toObservation };

/**
 * The GraphQL shape of any stored clinical resource, by its type. Pure; a
 * missing or malformed element reads as null or an empty list, never throws.
 */
export function toClinical(row: ClinicalRow): ClinicalObject {
  switch (row.type) {
    case 'Encounter':
      return toEncounter(row);
    case 'Condition':
      return toCondition(row);
    case 'AllergyIntolerance':
      return toAllergyIntolerance(row);
    case 'Immunization':
      return toImmunization(row);
    case 'Procedure':
      return toProcedure(row);
    case 'Observation':
      return toObservation(row);
    case 'DiagnosticReport':
      return toDiagnosticReport(row);
    case 'DocumentReference':
      return toDocumentReference(row);
    case 'CarePlan':
      return toCarePlan(row);
    case 'Device':
      return toDevice(row);
    case 'MedicationRequest':
    case 'MedicationStatement':
      return toMedicationRecord(row);
  }
}

export function toEncounter(row: ClinicalRow): Encounter {
  const r = row.resource;
  const participantIds = refIds(
    list(r.participant).map((p) => obj(p)?.individual),
    'Practitioner',
  );
  return {
    ...clinicalBase(row),
    class: coding(r.class),
    types: concepts(r.type),
    period: period(r.period),
    reasons: reasons(r),
    serviceType: concept(r.serviceType),
    participantIds,
    practitionerId: participantIds[0] ?? null,
    appointmentId: refIds(list(r.appointment), 'Appointment')[0] ?? null,
    locationIds: [...new Set(list(r.location).flatMap((l) => locationKey(obj(l)?.location) ?? []))],
  };
}

export function toCondition(row: ClinicalRow): Condition {
  const r = row.resource;
  return {
    ...clinicalBase(row),
    clinicalStatus: firstCode(r.clinicalStatus),
    verificationStatus: firstCode(r.verificationStatus),
    categories: concepts(r.category),
    code: concept(r.code),
    severity: concept(r.severity),
    onset: onset(r),
    abatement:
      str(r.abatementDateTime) ??
      period(r.abatementPeriod)?.end ??
      period(r.abatementPeriod)?.start ??
      str(r.abatementString),
    recordedDate: str(r.recordedDate),
    encounterId: refId(r.encounter, 'Encounter'),
    notes: notes(r.note),
  };
}

export function toAllergyIntolerance(row: ClinicalRow): AllergyIntolerance {
  const r = row.resource;
  return {
    ...clinicalBase(row),
    clinicalStatus: firstCode(r.clinicalStatus),
    verificationStatus: firstCode(r.verificationStatus),
    type: str(r.type),
    categories: strings(r.category),
    criticality: str(r.criticality),
    code: concept(r.code),
    reactions: list(r.reaction).flatMap((x) => reaction(obj(x)) ?? []),
    onset: onset(r),
    recordedDate: str(r.recordedDate),
    encounterId: refId(r.encounter, 'Encounter'),
    notes: notes(r.note),
  };
}

export function toImmunization(row: ClinicalRow): Immunization {
  const r = row.resource;
  return {
    ...clinicalBase(row),
    vaccineCode: concept(r.vaccineCode),
    occurrence: str(r.occurrenceDateTime) ?? str(r.occurrenceString),
    primarySource: bool(r.primarySource),
    lotNumber: str(r.lotNumber),
    encounterId: refId(r.encounter, 'Encounter'),
  };
}

export function toProcedure(row: ClinicalRow): Procedure {
  const r = row.resource;
  return {
    ...clinicalBase(row),
    code: concept(r.code),
    performed: period(r.performedPeriod) ?? pointPeriod(r.performedDateTime),
    reasons: reasons(r),
    encounterId: refId(r.encounter, 'Encounter'),
  };
}

export function toDevice(row: ClinicalRow): Device {
  const r = row.resource;
  const udi = obj(list(r.udiCarrier)[0]);
  const deviceIdentifier = str(udi?.deviceIdentifier);
  const carrierHRF = str(udi?.carrierHRF);
  return {
    ...clinicalBase(row),
    type: concept(r.type),
    deviceNames: list(r.deviceName).flatMap((n) => str(obj(n)?.name) ?? []),
    udiCarrier: deviceIdentifier || carrierHRF ? { deviceIdentifier, carrierHRF } : null,
    distinctIdentifier: str(r.distinctIdentifier),
    manufacturer: str(r.manufacturer),
    lotNumber: str(r.lotNumber),
    serialNumber: str(r.serialNumber),
    manufactureDate: str(r.manufactureDate),
    expirationDate: str(r.expirationDate),
  };
}

/** onset[x] as a string: the dateTime, a period's start, or the free text. Age and Range read as null. */
function onset(r: Json): string | null {
  return str(r.onsetDateTime) ?? period(r.onsetPeriod)?.start ?? str(r.onsetString);
}

function reaction(x: Json | null): AllergyReaction | null {
  if (!x) return null;
  return {
    manifestations: concepts(x.manifestation),
    severity: str(x.severity),
    description: str(x.description),
    substance: concept(x.substance),
    onset: str(x.onset),
  };
}
