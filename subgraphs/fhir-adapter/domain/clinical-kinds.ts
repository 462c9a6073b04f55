/**
 * The clinical resource types the FHIR adapter owns, and the facts search and
 * events need from one of them, read once when it is written (the resource
 * itself is stored encrypted).
 */

import {
  concepts,
  coding,
  firstCode,
  list,
  obj,
  period,
  reference,
  str,
  targetType,
  walk,
  type Json,
} from './fhir-values.js';

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

const CLINICAL_SET: ReadonlySet<string> = new Set(CLINICAL_TYPES);

export function isClinicalType(t: string): t is ClinicalType {
  return CLINICAL_SET.has(t);
}

export interface Coding {
  system: string | null;
  code: string | null;
  display: string | null;
}

/** What search and events need from a resource, extracted once at write time. */
export interface ClinicalFacts {
  type: ClinicalType;
  /** The reference to the patient as written ("Patient/abc", "urn:uuid:..."), or null if the resource has none. */
  patientRef: string | null;
  /** The status as the resource states it (Condition and AllergyIntolerance: the clinical status, or 'entered-in-error'). */
  status: string | null;
  /** Category-like codings: category, Encounter class and type, DocumentReference type and category. */
  categories: Coding[];
  /** The resource's main codes (Condition.code, Immunization.vaccineCode, Encounter.type and reasonCode...). */
  codes: Coding[];
  /** The clinically relevant date range, as written (ISO 8601, possibly partial), or null. */
  start: string | null;
  end: string | null;
  /** Other references worth linking, verbatim (Synthea's conditional `Practitioner?identifier=...` included). */
  refs: {
    encounter: string | null;
    practitioners: string[];
    locations: string[];
    organizations: string[];
    appointments: string[];
  };
}

type LinkKind = 'encounter' | 'practitioner' | 'location' | 'organization' | 'appointment';

/** Where each type names its patient (AllergyIntolerance, Immunization and Device say `patient`). */
const PATIENT_FIELD: Record<ClinicalType, 'subject' | 'patient'> = {
  Encounter: 'subject',
  Condition: 'subject',
  AllergyIntolerance: 'patient',
  Immunization: 'patient',
  Procedure: 'subject',
  Observation: 'subject',
  DiagnosticReport: 'subject',
  DocumentReference: 'subject',
  CarePlan: 'subject',
  Device: 'patient',
  MedicationRequest: 'subject',
  MedicationStatement: 'subject',
};

/**
 * The reference fields linked per type, each with the kind assumed when the
 * reference does not name its target type (a `urn:uuid:` in a transaction
 * bundle without `type`). A reference that names another type goes to that
 * kind's list, or nowhere (a Patient or Device requester, say).
 */
const LINKS: Record<ClinicalType, readonly (readonly [path: string, kind: LinkKind])[]> = {
  Encounter: [
    ['participant.individual', 'practitioner'],
    ['location.location', 'location'],
    ['serviceProvider', 'organization'],
    ['appointment', 'appointment'],
  ],
  Condition: [
    ['encounter', 'encounter'],
    ['recorder', 'practitioner'],
    ['asserter', 'practitioner'],
  ],
  AllergyIntolerance: [
    ['encounter', 'encounter'],
    ['recorder', 'practitioner'],
    ['asserter', 'practitioner'],
  ],
  Immunization: [
    ['encounter', 'encounter'],
    ['performer.actor', 'practitioner'],
    ['location', 'location'],
  ],
  Procedure: [
    ['encounter', 'encounter'],
    ['performer.actor', 'practitioner'],
    ['location', 'location'],
  ],
  Observation: [
    ['encounter', 'encounter'],
    ['performer', 'practitioner'],
  ],
  DiagnosticReport: [
    ['encounter', 'encounter'],
    ['performer', 'practitioner'],
    ['resultsInterpreter', 'practitioner'],
  ],
  DocumentReference: [
    ['context.encounter', 'encounter'],
    ['author', 'practitioner'],
    ['custodian', 'organization'],
  ],
  CarePlan: [
    ['encounter', 'encounter'],
    ['author', 'practitioner'],
  ],
  Device: [
    ['owner', 'organization'],
    ['location', 'location'],
  ],
  MedicationRequest: [
    ['encounter', 'encounter'],
    ['requester', 'practitioner'],
    ['performer', 'practitioner'],
  ],
  MedicationStatement: [
    ['context', 'encounter'],
    ['informationSource', 'practitioner'],
  ],
};

const KIND_OF_TYPE: ReadonlyMap<string, LinkKind> = new Map([
  ['Encounter', 'encounter'],
  ['Practitioner', 'practitioner'],
  ['PractitionerRole', 'practitioner'],
  ['Location', 'location'],
  ['Organization', 'organization'],
  ['Appointment', 'appointment'],
]);

/** Reads the facts of one clinical resource. Pure: unknown or malformed fields read as absent. */
export function clinicalFacts(
  resource: { resourceType: ClinicalType } & Record<string, unknown>,
): ClinicalFacts {
  const type = resource.resourceType;
  const [start, end] = dates(type, resource);
  return {
    type,
    patientRef: patientRef(resource[PATIENT_FIELD[type]]),
    status: status(type, resource),
    categories: categories(type, resource),
    codes: codes(type, resource),
    start,
    end,
    refs: links(type, resource),
  };
}

function status(type: ClinicalType, r: Json): string | null {
  if (type === 'Condition' || type === 'AllergyIntolerance') {
    // A record entered in error says so in verificationStatus; its clinicalStatus is then meaningless.
    if (firstCode(r.verificationStatus) === 'entered-in-error') return 'entered-in-error';
    return firstCode(r.clinicalStatus);
  }
  return str(r.status);
}

function categories(type: ClinicalType, r: Json): Coding[] {
  switch (type) {
    case 'AllergyIntolerance':
      // Plain codes of http://hl7.org/fhir/allergy-intolerance-category, written without their system.
      return list(r.category).flatMap((c) => {
        const code = str(c);
        return code ? [{ system: null, code, display: null }] : [];
      });
    case 'Encounter': {
      const cls = coding(r.class);
      return [...(cls ? [cls] : []), ...concepts(r.type)];
    }
    case 'DocumentReference':
      return [...concepts(r.type), ...concepts(r.category)];
    case 'Immunization':
    case 'Device':
      return [];
    case 'Condition':
    case 'Procedure':
    case 'Observation':
    case 'DiagnosticReport':
    case 'CarePlan':
    case 'MedicationRequest':
    case 'MedicationStatement':
      return concepts(r.category);
  }
}

function codes(type: ClinicalType, r: Json): Coding[] {
  switch (type) {
    case 'Encounter':
      return [...concepts(r.type), ...concepts(r.reasonCode)];
    case 'Immunization':
      return concepts(r.vaccineCode);
    case 'MedicationRequest':
    case 'MedicationStatement':
      return concepts(r.medicationCodeableConcept);
    case 'Device':
    case 'DocumentReference':
      return concepts(r.type);
    case 'CarePlan':
      return [];
    case 'Condition':
    case 'AllergyIntolerance':
    case 'Procedure':
    case 'Observation':
    case 'DiagnosticReport':
      return concepts(r.code);
  }
}

function dates(type: ClinicalType, r: Json): [string | null, string | null] {
  switch (type) {
    case 'Encounter':
    case 'CarePlan':
      return period(r.period);
    case 'Condition':
      return [
        str(r.onsetDateTime) ?? period(r.onsetPeriod)[0],
        str(r.abatementDateTime) ?? period(r.abatementPeriod)[1],
      ];
    case 'Observation':
    case 'DiagnosticReport': {
      const [s, e] = period(r.effectivePeriod);
      return [str(r.effectiveDateTime) ?? str(r.effectiveInstant) ?? s ?? str(r.issued), e];
    }
    case 'MedicationStatement': {
      const [s, e] = period(r.effectivePeriod);
      return [str(r.effectiveDateTime) ?? s ?? str(r.dateAsserted), e];
    }
    case 'Procedure': {
      const [s, e] = period(r.performedPeriod);
      return [str(r.performedDateTime) ?? s, e];
    }
    case 'Immunization':
      return [str(r.occurrenceDateTime), null];
    case 'AllergyIntolerance':
      return [str(r.onsetDateTime) ?? period(r.onsetPeriod)[0] ?? str(r.recordedDate), null];
    case 'DocumentReference': {
      // The care documented (context.period) before the date the note was written.
      const [s, e] = period(obj(r.context)?.period);
      return [s ?? str(r.date), e];
    }
    case 'MedicationRequest':
      return [str(r.authoredOn), null];
    case 'Device':
      // manufactureDate and expirationDate date the object, not the patient's use of it.
      return [null, null];
  }
}

function links(type: ClinicalType, r: Json): ClinicalFacts['refs'] {
  const found: Record<LinkKind, string[]> = {
    encounter: [],
    practitioner: [],
    location: [],
    organization: [],
    appointment: [],
  };
  for (const [path, fallback] of LINKS[type]) {
    for (const value of walk(r, path)) {
      const ref = reference(value);
      if (!ref) continue;
      const named = targetType(value, ref);
      const kind = named === null ? fallback : KIND_OF_TYPE.get(named);
      if (kind && !found[kind].includes(ref)) found[kind].push(ref);
    }
  }
  return {
    encounter: found.encounter[0] ?? null,
    practitioners: found.practitioner,
    locations: found.location,
    organizations: found.organization,
    appointments: found.appointment,
  };
}

/** The patient reference, unless the reference names another type (a Group subject is no patient). */
function patientRef(value: unknown): string | null {
  const ref = reference(list(value)[0]);
  if (!ref) return null;
  const named = targetType(list(value)[0], ref);
  return named === null || named === 'Patient' ? ref : null;
}
