import { defaultPurposeOf } from './purpose-policy.js';
import type { Principal, Role } from './principal.js';

/** Default SMART scopes of each demo role. */
export const DEV_SCOPES: Record<Role, string> = {
  patient:
    'patient/Patient.rs patient/CareTeam.rs patient/Consent.cruds patient/AuditEvent.rs patient/Appointment.cruds patient/Coverage.rs patient/Account.crs patient/ChargeItem.rs patient/MedicationRequest.rs patient/MedicationDispense.rs patient/MedicationStatement.rs patient/Encounter.rs patient/Condition.rs patient/AllergyIntolerance.rs patient/Immunization.rs patient/Procedure.rs patient/Observation.rs patient/DiagnosticReport.rs patient/DocumentReference.rs patient/CarePlan.rs patient/Device.rs',
  clinician: 'user/*.cruds',
  scheduler:
    'user/Patient.crus user/CareTeam.cruds user/Appointment.cruds user/Schedule.rs user/Slot.rs',
  pharmacist:
    'user/Patient.rs user/MedicationRequest.rs user/MedicationDispense.cruds user/Medication.rs user/MedicationStatement.rs user/AllergyIntolerance.rs',
  billing:
    'user/Patient.rs user/Appointment.rs user/Coverage.cruds user/Claim.cruds user/Account.cruds user/ChargeItem.rs user/MedicationDispense.rs',
  researcher: 'user/ResearchData.rs',
  admin: 'user/*.cruds',
  auditor: 'user/AuditEvent.rs',
  partner: 'patient/Patient.rs patient/Consent.rs patient/AuditEvent.rs',
};

/** Demo ids; the seed data and `npm start` may override them. */
export const DEV_IDS = {
  patient: 'demo-patient',
  practitioner: 'demo-practitioner',
  pharmacist: 'demo-pharmacist',
  organization: 'demo-org',
  firstPartyClient: 'carefed-dev-console',
  partnerClient: 'partner-demo-app',
  payerClient: 'payer-demo-app',
  fhirImportClient: 'carefed-fhir-import',
} as const;

type Context = Pick<Principal, 'patientId' | 'practitionerId' | 'organizationId'>;

function contextOf(role: Role): Context {
  switch (role) {
    case 'patient':
    case 'partner':
      return { patientId: DEV_IDS.patient };
    case 'clinician':
      return { practitionerId: DEV_IDS.practitioner, organizationId: DEV_IDS.organization };
    case 'pharmacist':
      return { practitionerId: DEV_IDS.pharmacist, organizationId: DEV_IDS.organization };
    case 'scheduler':
    case 'billing':
    case 'admin':
      return { organizationId: DEV_IDS.organization };
    case 'researcher':
    case 'auditor':
      return {};
  }
}

/**
 * A demo Principal for `role` with that role's default scopes and context. `overrides`
 * replace fields (undefined values are ignored); the purpose of use follows the roles and
 * the resulting patient context unless overridden (the issuer refuses to sign a purpose
 * the roles may not assert).
 */
export function devPrincipal(role: Role, overrides: Partial<Principal> = {}): Principal {
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  ) as Partial<Principal>;
  const merged = {
    sub: `dev-${role}`,
    roles: [role],
    scopes: DEV_SCOPES[role].split(' '),
    clientId: role === 'partner' ? DEV_IDS.partnerClient : DEV_IDS.firstPartyClient,
    ...contextOf(role),
    ...defined,
  };
  const purposeOfUse =
    defined.purposeOfUse ?? defaultPurposeOf(merged.roles, merged.patientId !== undefined);
  return { ...merged, purposeOfUse };
}
