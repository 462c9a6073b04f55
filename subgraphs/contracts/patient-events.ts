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
