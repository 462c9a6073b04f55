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
