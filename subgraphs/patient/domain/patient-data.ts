/** The PHI of a patient record, as held decrypted in memory for one request. */
export interface HumanNameData {
  family: string;
  given: string[];
  prefix?: string[];
  suffix?: string[];
}

export interface ContactPointData {
  system: 'phone' | 'email' | 'sms' | 'other';
  value: string;
  use?: 'home' | 'work' | 'mobile' | 'temp' | 'old';
}

export interface AddressData {
  line: string[];
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  use?: 'home' | 'work' | 'temp' | 'old' | 'billing';
}

export interface IdentifierData {
  system: string;
  value: string;
}

export type Gender = 'male' | 'female' | 'other' | 'unknown';

export interface PatientData {
  mrn: string;
  name: HumanNameData;
  /** ISO date, YYYY-MM-DD. */
  birthDate: string;
  gender: Gender;
  telecom: ContactPointData[];
  address: AddressData[];
  identifiers: IdentifierData[];
  managingOrganizationId?: string | null;
}

/** A decrypted patient with its bookkeeping, what resolvers work with. */
export interface PatientView extends PatientData {
  id: string;
  version: number;
  active: boolean;
  updatedAt: Date;
}

/** The identifier system of Carefed medical record numbers. */
export const MRN_SYSTEM = 'urn:carefed:mrn';

const PATIENT_DATA_KEYS = [
  'mrn',
  'name',
  'birthDate',
  'gender',
  'telecom',
  'address',
  'identifiers',
  'managingOrganizationId',
] as const satisfies readonly (keyof PatientData)[];

/** Sorted keys, absent and null members dropped: the record as its stored JSON means it. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => [k, canonical(x)]),
  );
}

/**
 * Whether two records hold the same patient data (the `PatientData` fields
 * only, bookkeeping ignored). The store keeps each field as its JSON, where an
 * absent and an undefined member are the same; a null optional member is
 * taken as absent too. Order inside lists counts; case and spacing count.
 */
export function samePatientData(a: PatientData, b: PatientData): boolean {
  const pick = (d: PatientData) =>
    canonical(Object.fromEntries(PATIENT_DATA_KEYS.map((k) => [k, d[k]])));
  return JSON.stringify(pick(a)) === JSON.stringify(pick(b));
}
