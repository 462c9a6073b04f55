import type { PurposeOfUse, Role } from './principal.js';

/**
 * The purposes of use (HL7 PurposeOfUse) each role may assert in a token.
 * `ETREAT` is in no list: emergency treatment is never claimed, the access
 * kernel sets it when a break-the-glass grant opens a record. A partner app
 * acts at its patient's request (`PATRQT`) when it holds a patient context,
 * otherwise for operations or payment; the client registry narrows further.
 */
const ROLE_PURPOSES: Record<Exclude<Role, 'partner'>, readonly PurposeOfUse[]> = {
  patient: ['PATRQT'],
  clinician: ['TREAT'],
  pharmacist: ['TREAT'],
  scheduler: ['HOPERAT'],
  billing: ['HPAYMT'],
  researcher: ['HRESCH'],
  admin: ['HSYSADMIN'],
  auditor: ['HACCRED'],
};

const PARTNER_FOR_PATIENT: readonly PurposeOfUse[] = ['PATRQT'];
const PARTNER_SYSTEM: readonly PurposeOfUse[] = ['HOPERAT', 'HPAYMT'];

function purposesOfRole(role: Role, hasPatientContext: boolean): readonly PurposeOfUse[] {
  if (role === 'partner') return hasPatientContext ? PARTNER_FOR_PATIENT : PARTNER_SYSTEM;
  return ROLE_PURPOSES[role];
}

/**
 * The roles whose purpose a token's purpose must be: all of them, except that
 * `patient` beside another role does not count, since the patient role
 * reaches only its own record, where consent (and so purpose) never decides.
 */
export function purposeRoles(roles: readonly Role[]): Role[] {
  const others = roles.filter((r) => r !== 'patient');
  return others.length > 0 ? others : [...roles];
}

/** The purposes a token with these roles (and patient context or not) may assert. */
export function allowedPurposes(
  roles: readonly Role[],
  hasPatientContext: boolean,
): PurposeOfUse[] {
  const [first, ...rest] = purposeRoles(roles);
  if (first === undefined) return [];
  return purposesOfRole(first, hasPatientContext).filter((p) =>
    rest.every((r) => purposesOfRole(r, hasPatientContext).includes(p)),
  );
}

/** Whether a token with these roles may assert `purpose`. */
export function purposeAllowed(
  roles: readonly Role[],
  hasPatientContext: boolean,
  purpose: PurposeOfUse,
): boolean {
  return allowedPurposes(roles, hasPatientContext).includes(purpose);
}

/** The purpose of use a role acts under when its token names none (the first one it may assert). */
export function defaultPurpose(role: Role, hasPatientContext: boolean): PurposeOfUse {
  return purposesOfRole(role, hasPatientContext)[0]!;
}

/** The purpose a token with these roles acts under when it names none. */
export function defaultPurposeOf(roles: readonly Role[], hasPatientContext: boolean): PurposeOfUse {
  const [first] = purposeRoles(roles);
  return first === undefined ? 'PATRQT' : defaultPurpose(first, hasPatientContext);
}

/**
 * Throws when a principal's purpose is not one its roles may assert: the
 * development issuer and the token CLI never sign such a token.
 */
export function assertPurposeAllowed(p: {
  roles: readonly Role[];
  patientId?: string;
  purposeOfUse: PurposeOfUse;
}): void {
  const allowed = allowedPurposes(p.roles, p.patientId !== undefined);
  if (!allowed.includes(p.purposeOfUse))
    throw new Error(
      `Purpose of use ${p.purposeOfUse} is not allowed for roles ${p.roles.join(', ')}${
        p.roles.includes('partner') ? (p.patientId ? ' with a patient' : ' without a patient') : ''
      }; allowed: ${allowed.join(', ') || 'none'}`,
    );
}
