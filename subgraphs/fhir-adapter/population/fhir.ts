/** Small FHIR R4 shapes and builders shared by the resource modules. */

export const SYSTEM = {
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  ucum: 'http://unitsofmeasure.org',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  synthea: 'https://github.com/synthetichealth/synthea',
  npi: 'http://hl7.org/fhir/sid/us-npi',
} as const;

export interface Coding {
  system: string;
  code: string;
  display: string;
}

/** A resource as written: `resourceType` and `id` first, the rest as built. */
export interface Resource {
  resourceType: string;
  id: string;
  [key: string]: unknown;
}

export interface Reference {
  reference: string;
  display?: string;
}

/** A CodeableConcept with one coding and its display as text, as Synthea writes them. */
export function concept(coding: Coding): { coding: Coding[]; text: string } {
  return { coding: [coding], text: coding.display };
}

/** `{ coding: [{ system, code, display }] }` for a terminology.hl7.org code system. */
export function hl7Code(codeSystem: string, code: string, display?: string) {
  const system = `http://terminology.hl7.org/CodeSystem/${codeSystem}`;
  return { coding: [display ? { system, code, display } : { system, code }] };
}

/** A FHIR dateTime in UTC to the second (`2024-03-05T14:07:00Z`) from epoch seconds. */
export function dateTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
}

/** A FHIR date (`2024-03-05`) from epoch seconds. */
export function date(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

export function profile(name: string): { profile: string[] } {
  return { profile: [`http://hl7.org/fhir/us/core/StructureDefinition/us-core-${name}`] };
}

/** A UCUM quantity, the value rounded to `decimals` places. */
export function quantity(value: number, unit: string, decimals = 0) {
  const f = 10 ** decimals;
  return { value: Math.round(value * f) / f, unit, system: SYSTEM.ucum, code: unit };
}
