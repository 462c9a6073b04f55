import { rule } from 'graphql-shield';
import {
  allow,
  anyRole,
  allowTypes,
  and,
  buildShield,
  hasRole,
  hasScope,
  or,
} from '../../platform/authz/rules.js';
import type { RequestContext } from '../../platform/federation/context.js';

// Who may reach patient records at all; which records is decided per record
// (compartment, care team, consent) in access.ts.
const readsPatients = hasRole(
  'patient',
  'partner',
  'clinician',
  'scheduler',
  'billing',
  'pharmacist',
  'admin',
);
const canReadPatient = and(readsPatients, hasScope('Patient', 'r'));
const canSearchPatients = and(readsPatients, hasScope('Patient', 's'));

// Minimum necessary: billing and the front desk see demographics, not clinical links or consents.
const seesContact = hasRole('patient', 'partner', 'clinician', 'scheduler', 'pharmacist', 'admin');
const seesAddress = hasRole(
  'patient',
  'partner',
  'clinician',
  'scheduler',
  'billing',
  'pharmacist',
  'admin',
);
const seesIdentifiers = hasRole('patient', 'partner', 'clinician', 'admin');
// The front desk sees care-team links: it books with, and assigns, the patient's practitioners.
const seesCareTeam = and(
  hasRole('patient', 'partner', 'clinician', 'scheduler', 'admin'),
  hasScope('CareTeam', 'r'),
);
const seesConsents = and(
  hasRole('patient', 'partner', 'clinician', 'admin'),
  hasScope('Consent', 'r'),
);
const seesHistory = hasRole('patient', 'clinician', 'admin');

/**
 * A system client: a client-credentials token (only the partner role) with no
 * patient context, so the kernel counts only its `system/` scopes.
 */
const isSystemClient = rule('isSystemClient', { cache: 'contextual' })(
  (_p, _a, ctx: RequestContext) =>
    ctx.principal.roles.length > 0 &&
    ctx.principal.roles.every((r) => r === 'partner') &&
    ctx.principal.patientId === undefined,
);
// Imports create and replace whole records: admins, or a system client with an import scope.
const importsPatients = and(
  or(hasRole('admin'), isSystemClient),
  hasScope('Patient', 'c'),
  hasScope('Patient', 'u'),
);

const managesConsent = hasRole('patient', 'partner', 'admin');

/** The patient subgraph's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    _entities: canReadPatient,
    patient: canReadPatient,
    patients: canSearchPatients,
    // The caller's own token, to every role of the care platform (researchers reach only open data).
    me: anyRole,
    accessLog: hasRole('patient', 'partner', 'auditor', 'admin'),
    // A public key: anyone signed in may fetch it to check inclusion proofs.
    auditLogPublicKey: allow,
  },
  Mutation: {
    createPatient: and(hasRole('scheduler', 'clinician', 'admin'), hasScope('Patient', 'c')),
    updatePatient: and(
      hasRole('scheduler', 'clinician', 'admin', 'patient', 'partner'),
      hasScope('Patient', 'u'),
    ),
    recordConsent: and(managesConsent, hasScope('Consent', 'c')),
    revokeConsent: and(managesConsent, hasScope('Consent', 'u')),
    addCareTeamMember: and(hasRole('scheduler', 'clinician', 'admin'), hasScope('CareTeam', 'c')),
    removeCareTeamMember: and(hasRole('scheduler', 'admin'), hasScope('CareTeam', 'd')),
    breakTheGlass: and(hasRole('clinician'), hasScope('Patient', 'r')),
    importPatients: importsPatients,
  },
  Patient: {
    '*': allow,
    telecom: seesContact,
    address: seesAddress,
    identifiers: seesIdentifiers,
    careTeam: seesCareTeam,
    consents: seesConsents,
    history: seesHistory,
  },
  PatientSnapshot: {
    '*': allow,
    telecom: seesContact,
    address: seesAddress,
    identifiers: seesIdentifiers,
  },
  ...allowTypes(
    '_Service',
    'Me',
    'PatientConnection',
    'PatientEdge',
    'PageInfo',
    'PatientRevision',
    'HumanName',
    'ContactPoint',
    'Address',
    'Identifier',
    'CareTeamLink',
    'Practitioner',
    'BreakGlassGrant',
    'Consent',
    'ConsentProvision',
    'ConsentActor',
    'AccessLogConnection',
    'AccessLogEdge',
    'AccessLogEntry',
    'AuditInclusionProof',
    'ImportPatientResult',
  ),
});
