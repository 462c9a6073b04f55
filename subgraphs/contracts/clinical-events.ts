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

/** A stored version an event speaks of: ids, version and the record's security labels. */
export interface ChangedVersion {
  id: string;
  type: string;
  patientId: string;
  version: number;
  labels: Iterable<string>;
}

/** What of a resource the event carries (the FHIR adapter's clinical facts fit). */
export interface ClinicalEventFacts {
  status: string | null;
  codes: readonly { system: string | null; code: string | null }[];
  categories: readonly { system: string | null; code: string | null }[];
  start: string | null;
  end: string | null;
  refs: { locations: readonly string[]; organizations: readonly string[] };
}

/**
 * What `clinical.changed` says of a stored version: ids, codes (never their
 * display text), dates, status, labels and the facilities it names. Pure, so
 * the population tools publish exactly what the adapter would.
 */
export function clinicalChangedData(
  s: ChangedVersion,
  facts: ClinicalEventFacts,
): ClinicalChangedData {
  const codings = (list: ClinicalEventFacts['codes']) =>
    list
      .filter((c): c is { system: string | null; code: string } => Boolean(c.code))
      .slice(0, 50)
      .map((c) => ({ system: c.system, code: c.code }));
  return {
    resourceId: s.id,
    resourceType: s.type,
    patientId: s.patientId,
    version: s.version,
    status: facts.status,
    codes: codings(facts.codes),
    categories: codings(facts.categories),
    start: facts.start,
    end: facts.end,
    labels: [...s.labels],
    enteredInError: facts.status === 'entered-in-error',
    facilities: [...facts.refs.locations, ...facts.refs.organizations]
      .filter((r) => r.length <= 300)
      .slice(0, 10),
  };
}
