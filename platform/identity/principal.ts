/** Roles a token may carry. `partner` is a client app acting for a patient or with system scopes. */
export const ROLES = [
  'patient',
  'clinician',
  'scheduler',
  'pharmacist',
  'billing',
  'researcher',
  'admin',
  'auditor',
  'partner',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * HL7 purpose-of-use codes (v3 PurposeOfUse) that Carefed distinguishes.
 * TREAT treatment, ETREAT emergency treatment (break-the-glass), HPAYMT payment,
 * HOPERAT operations, HRESCH research, PATRQT patient request, HSYSADMIN administration,
 * HACCRED oversight/audit.
 */
export const PURPOSES = [
  'TREAT',
  'ETREAT',
  'HPAYMT',
  'HOPERAT',
  'HRESCH',
  'PATRQT',
  'HSYSADMIN',
  'HACCRED',
] as const;
export type PurposeOfUse = (typeof PURPOSES)[number];

/** The verified caller of a request, as the gateway hands it to every subgraph. */
export interface Principal {
  /** Subject of the token (user id, or the client id for client credentials). */
  sub: string;
  roles: Role[];
  /** Raw SMART scopes as granted, e.g. `patient/Patient.rs user/*.cruds`. */
  scopes: string[];
  /** The OAuth client (app) the call comes through. */
  clientId: string;
  /** Patient context for patient-facing apps and patient users (FHIR Patient id). */
  patientId?: string;
  /** Practitioner id of a clinician. */
  practitionerId?: string;
  /** Organisation the user acts for. */
  organizationId?: string;
  purposeOfUse: PurposeOfUse;
}
