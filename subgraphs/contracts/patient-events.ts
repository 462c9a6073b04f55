import { z } from 'zod';
import { defineEvent } from '../../platform/events/contract.js';

/**
 * `patient.profile-changed`: the research-relevant profile of a patient, as
 * the patient subgraph holds it after a registration, an import or an
 * update. Only what HIPAA Safe Harbor lets a de-identified data set keep,
 * at most: the year of birth (never the date), the administrative sex and
 * the first three digits of the home postal code (never the address). Open
 * data applies the rest of Safe Harbor on receipt (ages over 89, the
 * low-population ZIP prefixes) and keys the patient by a pseudonym.
 */
export const PATIENT_PROFILE_CHANGED = defineEvent(
  'patient.profile-changed',
  z.object({
    patientId: z.guid(),
    /** The record's version the profile was read from: an older one changes nothing. */
    version: z.number().int().min(1),
    birthYear: z.number().int().min(1800).max(2300).nullable(),
    sex: z.enum(['male', 'female', 'other', 'unknown']),
    zip3: z
      .string()
      .regex(/^[0-9]{3}$/)
      .nullable(),
  }),
  (d) => d.patientId,
);
export type PatientProfileChangedData = z.infer<typeof PATIENT_PROFILE_CHANGED.data>;

/** What of a patient record the profile is read from (the patient subgraph's PatientData fits). */
export interface ProfileSource {
  /** ISO date, YYYY-MM-DD. */
  birthDate: string;
  gender: PatientProfileChangedData['sex'];
  address: readonly { use?: string; postalCode?: string }[];
}

/** The home address, else the first that is not old or billing, else none. */
function residence(data: ProfileSource): ProfileSource['address'][number] | undefined {
  return (
    data.address.find((a) => a.use === 'home') ??
    data.address.find((a) => a.use !== 'old' && a.use !== 'billing')
  );
}

/**
 * What `patient.profile-changed` says of a patient: the year of birth, the
 * administrative sex and the first three digits of a US home postal code
 * (`66204-1234` → `662`); nothing else of the record leaves the patient
 * subgraph for research. Shared by the producer and the population tools.
 */
export function researchProfile(
  patientId: string,
  version: number,
  data: ProfileSource,
): PatientProfileChangedData {
  const year = /^(\d{4})/.exec(data.birthDate)?.[1];
  const postal = residence(data)?.postalCode?.trim() ?? '';
  const zip = /^(\d{3})\d{2}(-?\d{4})?$/.exec(postal);
  return {
    patientId,
    version,
    birthYear: year ? Number(year) : null,
    sex: data.gender,
    zip3: zip ? zip[1]! : null,
  };
}
