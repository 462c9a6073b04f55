import {
  allow,
  anyRole,
  allowTypes,
  and,
  buildShield,
  hasRole,
  hasScope,
} from '../../platform/authz/rules.js';

// Who may reach the clinical record at all; whose record, which type and which labels are
// decided per record by the kernel (access.ts), which also checks the SMART scope of each type.
const readers = hasRole('clinician', 'patient', 'partner', 'pharmacist');
// The gateway resolves a Patient here for anyone signed in; its clinical fields are gated below,
// each refused field null with FORBIDDEN for that field only.
const anyone = anyRole;
const clinicians = hasRole('clinician');
const lists = (type: string) => and(readers, hasScope(type, 's'));

/** The FHIR adapter's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    _entities: anyone,
    clinicalResource: readers,
    clinicalHistory: readers,
  },
  Mutation: {
    recordAllergy: and(clinicians, hasScope('AllergyIntolerance', 'c')),
    updateAllergy: and(clinicians, hasScope('AllergyIntolerance', 'u')),
    recordCondition: and(clinicians, hasScope('Condition', 'c')),
    updateCondition: and(clinicians, hasScope('Condition', 'u')),
    recordVitalSigns: and(clinicians, hasScope('Observation', 'c')),
    markEnteredInError: clinicians,
  },
  Patient: {
    id: allow,
    encounters: lists('Encounter'),
    conditions: lists('Condition'),
    allergies: lists('AllergyIntolerance'),
    immunizations: lists('Immunization'),
    procedures: lists('Procedure'),
    observations: lists('Observation'),
    diagnosticReports: lists('DiagnosticReport'),
    documents: lists('DocumentReference'),
    carePlans: lists('CarePlan'),
    devices: lists('Device'),
    medicationHistory: and(readers, hasScope('MedicationRequest', 's')),
  },
  // Each record was decided (and audited) before it was mapped: its fields are its own.
  ...allowTypes(
    '_Service',
    'Coding',
    'CodeableConcept',
    'Period',
    'Quantity',
    'QuantityRange',
    'ClinicalResource',
    'Condition',
    'AllergyReaction',
    'AllergyIntolerance',
    'DocumentContent',
    'DocumentReference',
    'CarePlanActivity',
    'CarePlan',
    'Encounter',
    'MedicationRecord',
    'ObservationValue',
    'ObservationComponent',
    'ObservationReferenceRange',
    'Observation',
    'DiagnosticReport',
    'Practitioner',
    'Appointment',
    'Facility',
    'Procedure',
    'Immunization',
    'DeviceUdiCarrier',
    'Device',
    'PageInfo',
    ...[
      'Encounter',
      'Condition',
      'Allergy',
      'Immunization',
      'Procedure',
      'Observation',
      'DiagnosticReport',
      'Document',
      'CarePlan',
      'Device',
      'MedicationRecord',
    ].flatMap((n) => [`${n}Edge`, `${n}Connection`]),
  ),
});
