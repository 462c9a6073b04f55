import {
  writeAccess,
  type AccessPolicy,
  type Permission,
  type WriteAccess,
} from '../../platform/authz/index.js';
import type { Principal } from '../../platform/identity/principal.js';
import type { CareRoutingContext } from './context.js';

/** The one answer for a patient the caller may not route, or who does not exist. */
export const NO_ACCESS = 'Not permitted to route care for this patient, or they do not exist';

/**
 * What care routing touches of a patient: their address (to recommend from
 * where they live) and their care preferences. Both are scoped and audited
 * as the FHIR `Patient` resource (the address and preferences are the
 * patient's demographics and wishes).
 */
export const PATIENT_DATA = 'Patient';

/**
 * Minimum necessary, by role: clinicians route patients in their
 * compartment (care team, or a break-the-glass grant for reads); the front
 * desk (scheduler) routes any patient of the organisation, as it books them;
 * a patient (or an app acting for them) routes themselves and keeps their
 * own preferences. Pharmacists, billing, admins, researchers and auditors
 * route no one: the directory is open to them, a patient's address is not.
 */
function roleAllows(p: Principal, permission: Permission): boolean {
  return p.roles.some((role) => {
    switch (role) {
      case 'clinician':
      case 'scheduler':
        return permission === 'r' || permission === 's';
      case 'patient':
      case 'partner':
        return true;
      case 'pharmacist':
      case 'billing':
      case 'admin':
      case 'researcher':
      case 'auditor':
        return false;
    }
  });
}

/** The kernel's policy for one kind of access to a patient's routing data. */
export const routingAccess = (permission: Permission): AccessPolicy => ({
  dataClass: PATIENT_DATA,
  permission,
  roleAllows: (p) => roleAllows(p, permission),
});

/** A write of a patient's preferences, decided inside its transaction by `auditedWrite`. */
export function preferenceWrite(ctx: CareRoutingContext, patientId: string): WriteAccess {
  return writeAccess(ctx, { patientId }, routingAccess('u'), 'update', NO_ACCESS);
}
