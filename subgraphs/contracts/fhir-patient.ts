/**
 * How a FHIR R4 Patient becomes Carefed patient data: shared by the patient
 * subgraph's seed and the FHIR adapter's import (which sends it as
 * `importPatients`' input), so the same FHIR data gives the same record
 * either way, and an import of what the seed loaded changes nothing.
 */

/** The parts of a FHIR Patient Carefed keeps. */
export interface FhirPatient {
  id: string;
  identifier?: { type?: { coding?: { code?: string }[] }; system?: string; value: string }[];
  name?: { family?: string; given?: string[] }[];
  birthDate?: string;
  gender?: 'male' | 'female' | 'other' | 'unknown';
  telecom?: { system?: string; value?: string; use?: string }[];
  address?: {
    line?: string[];
    city?: string;
    state?: string;
    postalCode?: string;
    country?: string;
  }[];
  deceasedDateTime?: string;
}

/** A patient record's fields, as `importPatients` takes them (and the patient subgraph stores them). */
export interface PatientFields {
  mrn: string;
  name: { family: string; given: string[] };
  birthDate: string;
  gender: 'male' | 'female' | 'other' | 'unknown';
  telecom: {
    system: 'phone' | 'email' | 'sms' | 'other';
    value: string;
    use?: 'home' | 'work' | 'mobile' | 'temp' | 'old';
  }[];
  address: {
    line: string[];
    city?: string;
    state?: string;
    postalCode?: string;
    country?: string;
  }[];
  identifiers: { system: string; value: string }[];
  managingOrganizationId: null;
}

const TELECOM = new Set(['phone', 'email', 'sms', 'other']);
const USES = new Set(['home', 'work', 'mobile', 'temp', 'old']);

/** Why a FHIR Patient cannot become a Carefed patient (no value quoted), or undefined. */
export function patientGap(p: FhirPatient): string | undefined {
  if (!p.birthDate || !/^\d{4}-\d{2}-\d{2}$/.test(p.birthDate))
    return 'Carefed needs a full birth date (YYYY-MM-DD)';
  if (!p.gender) return 'Carefed needs an administrative gender';
  return undefined;
}

/**
 * A FHIR Patient as Carefed patient data: MRN from the MR-typed identifier
 * (else the FHIR id), the first name, telecoms of the kinds Carefed keeps,
 * every identifier but the SSN. Check `patientGap` first.
 */
export function patientFromFhir(p: FhirPatient): PatientFields {
  const mrn =
    p.identifier?.find((i) => i.type?.coding?.some((c) => c.code === 'MR'))?.value ?? p.id;
  const name = p.name?.[0] ?? {};
  return {
    mrn,
    name: { family: name.family ?? 'Unknown', given: name.given ?? [] },
    birthDate: p.birthDate ?? '',
    gender: p.gender ?? 'unknown',
    telecom: (p.telecom ?? [])
      .filter((t) => t.system && TELECOM.has(t.system) && t.value)
      .map((t) => ({
        system: t.system as PatientFields['telecom'][number]['system'],
        value: t.value!,
        use:
          t.use && USES.has(t.use) ? (t.use as PatientFields['telecom'][number]['use']) : undefined,
      })),
    address: (p.address ?? []).map((a) => ({
      line: a.line ?? [],
      city: a.city,
      state: a.state,
      postalCode: a.postalCode,
      country: a.country,
    })),
    identifiers: (p.identifier ?? [])
      .filter((i) => i.system && i.type?.coding?.[0]?.code !== 'SS')
      .map((i) => ({ system: i.system!, value: i.value })),
    managingOrganizationId: null,
  };
}
