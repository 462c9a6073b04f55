import { z } from 'zod';
import { defineEvent } from '../../platform/events/contract.js';

const coding = z.object({
  system: z.string().max(300).nullable(),
  code: z.string().max(200),
});
/** A FHIR date or dateTime as written (partial dates like `2019-04` included). */
const fhirDate = z.string().regex(/^\d{4}(-\d{2}(-\d{2}(T[0-9:.+\-Z]{2,40})?)?)?$/);

/**
 * `clinical.changed`: a clinical resource was recorded, changed or marked
 * entered-in-error by the FHIR adapter (an import, a bundle or a clinician's
 * mutation). Ids, codes, dates and security labels only: never a name, a
 * note or free text. Pharmacy follows allergies and outside medication
 * history; open data follows everything.
 */
export const CLINICAL_CHANGED = defineEvent(
  'clinical.changed',
  z.object({
    resourceId: z.guid(),
    resourceType: z.string().regex(/^[A-Z][A-Za-z]{1,63}$/),
    patientId: z.guid(),
    version: z.number().int().min(1),
    status: z.string().max(40).nullable(),
    codes: z.array(coding).max(50),
    categories: z.array(coding).max(50),
    start: fhirDate.nullable(),
    end: fhirDate.nullable(),
    /** Sensitivity codes (`ETH`, `PSY`, …): consumers must honour them as the kernel does. */
    labels: z.array(z.string().regex(/^[A-Z0-9-]{1,40}$/)).max(20),
    enteredInError: z.boolean(),
    /**
     * The facilities the resource names (its Location and Organization references as
     * written, e.g. `Organization?identifier=http://hl7.org/fhir/sid/us-npi|1234567893`):
     * open data's admissions per facility region. Absent in events published before it.
     */
    facilities: z.array(z.string().min(1).max(300)).max(10).default([]),
  }),
  (d) => d.resourceId,
);
export type ClinicalChangedData = z.infer<typeof CLINICAL_CHANGED.data>;

/**
 * The clinical resource types pharmacy follows (allergies and medication
 * history, for its safety checks): `clinical.changed` of any other type is
 * never enqueued for it (subgraphs/subscriptions.ts).
 */
export const PHARMACY_CLINICAL_TYPES: ReadonlySet<string> = new Set([
  'AllergyIntolerance',
  'MedicationRequest',
  'MedicationStatement',
]);
