import {
  decideRecords,
  recordEvent,
  writeAccess,
  type AccessPolicy,
  type PatientAccessDecision,
  type Permission,
  type WriteAccess,
} from '../../platform/authz/index.js';
import type { AccessEvent } from '../../platform/audit/request-audit.js';
import type { Principal } from '../../platform/identity/principal.js';
import type { PharmacyContext } from './context.js';

/** The one answer for pharmacy data the caller may not touch or that does not exist. */
export const NO_ACCESS =
  'Not permitted to access this prescription or dispense, or it does not exist';

/**
 * The FHIR resource types pharmacy data is scoped and audited under:
 * prescriptions (MedicationRequest), dispenses (MedicationDispense), and the
 * clinical record's allergies and outside medications it checks against
 * (AllergyIntolerance, MedicationStatement).
 */
export type PharmacyData =
  'MedicationRequest' | 'MedicationDispense' | 'AllergyIntolerance' | 'MedicationStatement';

/** One access to decide: whose record, and its security labels (a consent may withhold them). */
export interface PharmacySubject {
  patientId: string;
  labels?: readonly string[];
}

const READS: ReadonlySet<Permission> = new Set(['r', 's']);

/**
 * Minimum necessary, by role: clinicians prescribe and read for patients in
 * their compartment (care team, or under break-the-glass: reads and new
 * prescriptions, never changes to existing ones); pharmacists
 * read prescriptions, allergies and medication lists and record dispenses;
 * a patient (or an app acting for them) reads their own prescriptions,
 * dispenses and medication list; billing reads what was dispensed, never why (dispenses only);
 * admins, the front desk, researchers and auditors reach none of it.
 */
function roleAllows(p: Principal, data: PharmacyData, permission: Permission): boolean {
  const read = READS.has(permission);
  return p.roles.some((role) => {
    switch (role) {
      case 'clinician':
        return data === 'MedicationRequest' || read;
      case 'pharmacist':
        return read || (data === 'MedicationDispense' && permission === 'c');
      case 'patient':
      case 'partner':
        // Their own record (the kernel binds them to it): prescriptions, dispenses, and the
        // outside medications and allergies the clinical record shows them too.
        return read;
      case 'billing':
        return read && data === 'MedicationDispense';
      case 'scheduler':
      case 'admin':
      case 'researcher':
      case 'auditor':
        return false;
    }
  });
}

/** The kernel's policy for one kind of pharmacy access. */
export const pharmacyAccess = (
  data: PharmacyData,
  permission: Permission,
): AccessPolicy<PharmacySubject> => ({
  dataClass: data,
  permission,
  roleAllows: (p) => roleAllows(p, data, permission),
  labelsOf: (s) => s.labels ?? [],
  // A clinician under break-the-glass may prescribe (an emergency prescription, audited as such).
  ...(data === 'MedicationRequest' && permission === 'c' ? { emergencyCreates: true } : {}),
});

/** Decides pharmacy access per subject, one batch of facts for all. */
export function decidePharmacy(
  ctx: PharmacyContext,
  subjects: readonly PharmacySubject[],
  data: PharmacyData,
  permission: Permission,
): Promise<PatientAccessDecision[]> {
  return decideRecords(ctx, subjects, pharmacyAccess(data, permission));
}

/** The audit event of one pharmacy access. */
export function pharmacyEvent(
  subject: PharmacySubject,
  d: PatientAccessDecision,
  data: PharmacyData,
  action: AccessEvent['action'],
  resourceId?: string,
): AccessEvent {
  return recordEvent(subject.patientId, d, data, action, resourceId);
}

/** A write, decided inside its transaction by `auditedWrite`. */
export function pharmacyWrite(
  ctx: PharmacyContext,
  subject: PharmacySubject,
  data: PharmacyData,
  permission: Permission,
  action: AccessEvent['action'],
  resourceId?: string,
): WriteAccess {
  return writeAccess(ctx, subject, pharmacyAccess(data, permission), action, NO_ACCESS, resourceId);
}
