/**
 * FHIR R4 resources for what clinicians record in Carefed: allergies,
 * conditions and vital signs. Pure: the builders return resource content
 * without id or meta (the store adds them); an update is a whole new content
 * built from the same input shape.
 */

export const SNOMED = 'http://snomed.info/sct';
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const CONDITION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/condition-category';
const CONDITION_CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const CONDITION_VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const ALLERGY_VERIFICATION =
  'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

export type FhirResource = { resourceType: string } & Record<string, unknown>;

/** A code, with its system when the caller names one. */
export interface Token {
  system?: string | null;
  code: string;
}

export type AllergyType = 'allergy' | 'intolerance';
export type AllergyCategory = 'food' | 'medication' | 'environment' | 'biologic';
export type AllergyCriticality = 'low' | 'high' | 'unable-to-assess';
export type AllergyClinicalStatus = 'active' | 'inactive' | 'resolved';
export type AllergyVerificationStatus = 'unconfirmed' | 'confirmed' | 'refuted';
export type ReactionSeverity = 'mild' | 'moderate' | 'severe';
export type ConditionCategory = 'problem-list-item' | 'encounter-diagnosis';
export type ConditionClinicalStatus =
  'active' | 'recurrence' | 'relapse' | 'inactive' | 'remission' | 'resolved';
export type ConditionVerificationStatus =
  'unconfirmed' | 'provisional' | 'differential' | 'confirmed' | 'refuted';

/** Optional input fields arrive from GraphQL as undefined or null. */
type Opt<T> = T | null | undefined;

export interface AllergyDraft {
  code: Token;
  display?: Opt<string>;
  type?: Opt<AllergyType>;
  categories?: Opt<readonly AllergyCategory[]>;
  criticality?: Opt<AllergyCriticality>;
  clinicalStatus?: Opt<AllergyClinicalStatus>;
  verificationStatus?: Opt<AllergyVerificationStatus>;
  reactions?: Opt<readonly ReactionDraft[]>;
  /** A FHIR date or dateTime, possibly partial ("2019-04"). */
  onset?: Opt<string>;
  note?: Opt<string>;
}

export interface ReactionDraft {
  manifestation: Token;
  display?: Opt<string>;
  severity?: Opt<ReactionSeverity>;
}

export interface ConditionDraft {
  code: Token;
  display?: Opt<string>;
  category?: Opt<ConditionCategory>;
  clinicalStatus?: Opt<ConditionClinicalStatus>;
  verificationStatus?: Opt<ConditionVerificationStatus>;
  onset?: Opt<string>;
  abatement?: Opt<string>;
  encounterId?: Opt<string>;
  note?: Opt<string>;
}

export interface VitalSignsDraft {
  effective: Date;
  encounterId?: Opt<string>;
  heartRate?: Opt<number>;
  systolic?: Opt<number>;
  diastolic?: Opt<number>;
  respiratoryRate?: Opt<number>;
  bodyTemperature?: Opt<number>;
  oxygenSaturation?: Opt<number>;
  bodyWeight?: Opt<number>;
  bodyHeight?: Opt<number>;
}

/** An AllergyIntolerance (R4) for the patient; the code's system defaults to SNOMED CT. */
export function allergyResource(
  patientId: string,
  input: AllergyDraft,
  recorderId?: string,
  recordedAt: Date = new Date(),
): FhirResource {
  return compact({
    resourceType: 'AllergyIntolerance',
    clinicalStatus: status(ALLERGY_CLINICAL, input.clinicalStatus ?? 'active'),
    verificationStatus: status(ALLERGY_VERIFICATION, input.verificationStatus ?? 'confirmed'),
    type: input.type,
    category: input.categories?.length ? [...new Set(input.categories)] : undefined,
    criticality: input.criticality,
    code: concept(input.code, SNOMED, input.display),
    patient: { reference: `Patient/${patientId}` },
    onsetDateTime: input.onset,
    recordedDate: recordedAt.toISOString(),
    recorder: practitioner(recorderId),
    note: annotation(input.note),
    reaction: input.reactions?.length
      ? input.reactions.map((r) =>
          compact({
            manifestation: [concept(r.manifestation, SNOMED, r.display)],
            severity: r.severity,
          }),
        )
      : undefined,
  });
}

/**
 * A Condition (R4) for the patient. A code without a system is SNOMED CT when
 * all digits, else ICD-10-CM. With an abatement and no clinical status, the
 * status is resolved (an abated condition cannot be active: FHIR con-4).
 */
export function conditionResource(
  patientId: string,
  input: ConditionDraft,
  recorderId?: string,
  recordedAt: Date = new Date(),
): FhirResource {
  const category = input.category ?? 'problem-list-item';
  const system = input.code.system ?? (/^\d+$/.test(input.code.code) ? SNOMED : ICD10CM);
  return compact({
    resourceType: 'Condition',
    clinicalStatus: status(
      CONDITION_CLINICAL,
      input.clinicalStatus ?? (input.abatement ? 'resolved' : 'active'),
    ),
    verificationStatus: status(CONDITION_VERIFICATION, input.verificationStatus ?? 'confirmed'),
    category: [
      { coding: [{ system: CONDITION_CATEGORY, code: category, display: words(category) }] },
    ],
    code: concept({ system, code: input.code.code }, system, input.display),
    subject: { reference: `Patient/${patientId}` },
    encounter: input.encounterId ? { reference: `Encounter/${input.encounterId}` } : undefined,
    onsetDateTime: input.onset,
    abatementDateTime: input.abatement,
    recordedDate: recordedAt.toISOString(),
    recorder: practitioner(recorderId),
    note: annotation(input.note),
  });
}

interface VitalSign {
  key: Exclude<keyof VitalSignsDraft, 'effective' | 'encounterId' | 'systolic' | 'diastolic'>;
  codes: readonly (readonly [code: string, display: string])[];
  unit: string;
  ucum: string;
}

/** The single-value vital signs of the FHIR vital-signs profile, in the order they are written. */
const VITALS: readonly VitalSign[] = [
  { key: 'heartRate', codes: [['8867-4', 'Heart rate']], unit: 'beats/minute', ucum: '/min' },
  {
    key: 'respiratoryRate',
    codes: [['9279-1', 'Respiratory rate']],
    unit: 'breaths/minute',
    ucum: '/min',
  },
  { key: 'bodyTemperature', codes: [['8310-5', 'Body temperature']], unit: 'C', ucum: 'Cel' },
  {
    key: 'oxygenSaturation',
    // US Core's pulse-oximetry profile wants both codes; 2708-6 is the base vital-signs code.
    codes: [
      ['59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry'],
      ['2708-6', 'Oxygen saturation in Arterial blood'],
    ],
    unit: '%',
    ucum: '%',
  },
  { key: 'bodyWeight', codes: [['29463-7', 'Body weight']], unit: 'kg', ucum: 'kg' },
  { key: 'bodyHeight', codes: [['8302-2', 'Body height']], unit: 'cm', ucum: 'cm' },
];

/**
 * One Observation (R4 vital-signs profile, status final) per vital given,
 * blood pressure last: one panel (85354-9) with systolic and diastolic
 * components, written when both are given.
 */
export function vitalSignsResources(
  patientId: string,
  input: VitalSignsDraft,
  performerId?: string,
): FhirResource[] {
  const common = {
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [{ system: OBSERVATION_CATEGORY, code: 'vital-signs', display: 'Vital Signs' }],
        text: 'Vital Signs',
      },
    ],
    subject: { reference: `Patient/${patientId}` },
    encounter: input.encounterId ? { reference: `Encounter/${input.encounterId}` } : undefined,
    effectiveDateTime: input.effective.toISOString(),
    performer: performerId ? [{ reference: `Practitioner/${performerId}` }] : undefined,
  };
  const singles = VITALS.flatMap((v) => {
    const value = input[v.key];
    if (typeof value !== 'number') return [];
    return [
      compact({ ...common, code: loinc(v.codes), valueQuantity: ucum(value, v.unit, v.ucum) }),
    ];
  });
  if (typeof input.systolic !== 'number' || typeof input.diastolic !== 'number') return singles;
  const bloodPressure = compact({
    ...common,
    code: loinc([['85354-9', 'Blood pressure panel with all children optional']]),
    component: [
      {
        code: loinc([['8480-6', 'Systolic blood pressure']]),
        valueQuantity: ucum(input.systolic, 'mmHg', 'mm[Hg]'),
      },
      {
        code: loinc([['8462-4', 'Diastolic blood pressure']]),
        valueQuantity: ucum(input.diastolic, 'mmHg', 'mm[Hg]'),
      },
    ],
  });
  return [...singles, bloodPressure];
}

/**
 * A copy of the resource marked entered-in-error the FHIR way: Condition and
 * AllergyIntolerance by verificationStatus, their clinicalStatus removed (FHIR
 * con-5, ait-2); every other type by its status.
 */
export function enteredInError<T extends FhirResource>(resource: T): T {
  const copy = structuredClone(resource) as Record<string, unknown>;
  switch (resource.resourceType) {
    case 'Condition':
      delete copy.clinicalStatus;
      copy.verificationStatus = status(CONDITION_VERIFICATION, 'entered-in-error');
      break;
    case 'AllergyIntolerance':
      delete copy.clinicalStatus;
      copy.verificationStatus = status(ALLERGY_VERIFICATION, 'entered-in-error');
      break;
    default:
      copy.status = 'entered-in-error';
  }
  return copy as T;
}

function status(system: string, code: string) {
  return { coding: [{ system, code, display: words(code) }] };
}

function concept(token: Token, defaultSystem: string, display: Opt<string>) {
  return compact({
    coding: [compact({ system: token.system ?? defaultSystem, code: token.code, display })],
    text: display,
  });
}

function loinc(codes: VitalSign['codes']) {
  return {
    coding: codes.map(([code, display]) => ({ system: LOINC, code, display })),
    text: codes[0]?.[1],
  };
}

function ucum(value: number, unit: string, code: string) {
  return { value, unit, system: UCUM, code };
}

function practitioner(id: string | undefined) {
  return id ? { reference: `Practitioner/${id}` } : undefined;
}

function annotation(text: Opt<string>) {
  return text ? [{ text }] : undefined;
}

/** "entered-in-error" → "Entered in Error", as the HL7 code systems display their codes. */
function words(code: string): string {
  return code
    .split('-')
    .map((w, i) => (i > 0 && w === 'in' ? w : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

/** Drops undefined and null members, so absent optional elements are absent in the JSON. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null),
  ) as T;
}
