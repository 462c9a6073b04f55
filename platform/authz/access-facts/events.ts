import { z } from 'zod';
import { defineEvent } from '../../events/contract.js';

const uuid = z.guid();
const instant = z.iso.datetime({ offset: true });
/** Practitioner ids as the care team and tokens carry them (FHIR ids, not always UUIDs). */
const practitionerId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);

const provision = z.object({
  type: z.enum(['permit', 'deny']),
  actors: z
    .array(
      z.object({
        kind: z.enum(['practitioner', 'organization', 'client', 'role']),
        id: z.string().min(1).max(200),
      }),
    )
    .max(100)
    .nullish(),
  purposes: z.array(z.string().min(1).max(64)).max(50).nullish(),
  dataClasses: z.array(z.string().min(1).max(64)).max(100).nullish(),
  securityLabels: z
    .array(z.string().regex(/^[A-Za-z0-9-]{1,40}$/))
    .max(20)
    .nullish(),
  period: z.object({ start: instant.nullish(), end: instant.nullish() }).nullish(),
});

/**
 * `consent.changed`: a consent's whole current state (ids, codes and periods;
 * no PHI), published by the patient subgraph whenever one is recorded or
 * revoked.
 */
export const CONSENT_CHANGED = defineEvent(
  'consent.changed',
  z.object({
    consentId: uuid,
    patientId: uuid,
    status: z.enum(['active', 'inactive']),
    scope: z.enum(['patient-privacy', 'research', 'treatment']),
    provisions: z.array(provision).max(100),
    periodStart: instant.nullable(),
    periodEnd: instant.nullable(),
  }),
  (d) => d.consentId,
);
export type ConsentChangedData = z.infer<typeof CONSENT_CHANGED.data>;

/**
 * `care-team.changed`: a care-team link's current state, published when a
 * practitioner joins a patient's care team (`until` null) or leaves it.
 */
export const CARE_TEAM_CHANGED = defineEvent(
  'care-team.changed',
  z.object({
    linkId: uuid,
    patientId: uuid,
    practitionerId,
    role: z.string().regex(/^[a-z][a-z-]{1,39}$/),
    since: instant,
    until: instant.nullable(),
  }),
  (d) => d.linkId,
);
export type CareTeamChangedData = z.infer<typeof CARE_TEAM_CHANGED.data>;

/**
 * `break-glass.granted`: a clinician's emergency access to one patient, for a
 * limited time (the reason stays in the patient subgraph, encrypted).
 */
export const BREAK_GLASS_GRANTED = defineEvent(
  'break-glass.granted',
  z
    .object({
      grantId: uuid,
      patientId: uuid,
      practitionerId,
      grantedAt: instant,
      expiresAt: instant,
    })
    .refine((d) => Date.parse(d.expiresAt) > Date.parse(d.grantedAt), {
      path: ['expiresAt'],
      message: 'expiresAt must follow grantedAt',
    }),
  (d) => d.grantId,
);
export type BreakGlassGrantedData = z.infer<typeof BREAK_GLASS_GRANTED.data>;

/**
 * `patient.registered`: a patient exists (published by the patient subgraph
 * in the transaction that created the record; ids only). Every subgraph
 * holding patient data writes nothing for a patient its projection does not
 * know.
 */
export const PATIENT_REGISTERED = defineEvent(
  'patient.registered',
  z.object({ patientId: uuid, registeredAt: instant }),
  (d) => d.patientId,
);
export type PatientRegisteredData = z.infer<typeof PATIENT_REGISTERED.data>;
