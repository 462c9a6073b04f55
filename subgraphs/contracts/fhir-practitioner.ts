/**
 * How a FHIR Practitioner (with its PractitionerRoles) becomes scheduling's
 * directory row: shared by scheduling's seed and the FHIR adapter's import
 * (which sends it as `importPractitioners`' input), so the same FHIR data
 * gives the same row either way.
 */

/** A directory row's fields, as `importPractitioners` takes them. */
export interface PractitionerFields {
  /** Wanted id for a new practitioner (the FHIR id), used when free. */
  id?: string | null;
  npi: string;
  family: string;
  given: string[];
  prefix?: string | null;
  specialties?: string[] | null;
  facilityIds?: string[] | null;
  active?: boolean | null;
}

/** The parts of a FHIR R4 Practitioner the directory keeps. */
export interface FhirPractitioner {
  id: string;
  active?: boolean;
  identifier?: { system?: string; value: string }[];
  name?: { family?: string; given?: string[]; prefix?: string[] }[];
}

/** The parts of a FHIR R4 PractitionerRole the directory keeps (Synthea names the practitioner by NPI). */
export interface FhirPractitionerRole {
  practitioner?: { reference?: string; identifier?: { value: string } };
  specialty?: { text?: string; coding?: { display?: string }[] }[];
  location?: { identifier?: { value: string } }[];
}

const NPI_SYSTEM = 'us-npi';

/** The practitioner's NPI (`http://hl7.org/fhir/sid/us-npi`), or its FHIR id when it has none. */
export function npiOf(p: FhirPractitioner): string {
  return p.identifier?.find((i) => i.system?.endsWith(NPI_SYSTEM))?.value ?? p.id;
}

/** Roles grouped by the NPI of the practitioner they name, in file order. */
export function rolesByNpi(
  roles: readonly FhirPractitionerRole[],
): Map<string, FhirPractitionerRole[]> {
  const out = new Map<string, FhirPractitionerRole[]>();
  for (const r of roles) {
    const npi = r.practitioner?.identifier?.value;
    if (!npi) continue;
    out.set(npi, [...(out.get(npi) ?? []), r]);
  }
  return out;
}

const distinct = (values: string[]): string[] => [...new Set(values)];

/**
 * The directory row's fields for one FHIR Practitioner and its roles: the
 * first name (family, given, first prefix), specialties by their text (or
 * their first coding's display) and facility keys from the roles' location
 * identifiers, each once, in role order. The seed and the import (whose
 * caller merges a practitioner's roles the same way) both go through this
 * shape, so the same FHIR data gives the same row.
 */
export function practitionerFromFhir(
  p: FhirPractitioner,
  roles: readonly FhirPractitionerRole[] = [],
): PractitionerFields {
  const name = p.name?.[0] ?? {};
  return {
    id: p.id,
    npi: npiOf(p),
    family: name.family ?? 'Unknown',
    given: name.given ?? [],
    prefix: name.prefix?.[0] ?? null,
    specialties: distinct(
      roles
        .flatMap((r) => r.specialty ?? [])
        .map((s) => s.text ?? s.coding?.[0]?.display ?? '')
        .filter(Boolean),
    ),
    facilityIds: distinct(
      roles
        .flatMap((r) => (r.location ?? []).map((l) => l.identifier?.value ?? ''))
        .filter(Boolean),
    ),
    active: p.active ?? true,
  };
}
