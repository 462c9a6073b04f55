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
import type { ClinicalType } from './domain/clinical-kinds.js';
import type { Segment } from '../contracts/security-labels.js';
import type { FhirContext } from './context.js';

/** The one answer for a clinical record the caller may not touch or that does not exist. */
export const NO_ACCESS = 'Not permitted to access this clinical record, or it does not exist';

/** One clinical access to decide: whose record, and its security labels. */
export interface ClinicalSubject {
  patientId: string;
  labels?: readonly Segment[];
}

const READS: ReadonlySet<Permission> = new Set(['r', 's']);
const WRITES: ReadonlySet<Permission> = new Set(['c', 'u']);
/** What a pharmacist needs to dispense safely: allergies and the medication history. */
const PHARMACY_DATA: ReadonlySet<string> = new Set([
  'AllergyIntolerance',
  'MedicationRequest',
  'MedicationStatement',
]);

/** A partner token with no patient context: a system client (an EHR feed, the importer). */
export const isSystemClient = (p: Principal): boolean =>
  p.roles.every((r) => r === 'partner') && p.patientId === undefined;

/**
 * Minimum necessary, by role: clinicians read and record the clinical record
 * of patients in their compartment (care team, or a break-the-glass grant
 * for reads); a patient (or an app acting for one) reads their own; a
 * pharmacist reads allergies and medication history; admins and system
 * clients record (imports, corrections) but do not read; a system client
 * reads only what its `system/` scopes grant. The front desk, billing,
 * researchers and auditors reach no clinical record.
 */
function roleAllows(p: Principal, type: string, permission: Permission): boolean {
  return p.roles.some((role) => {
    switch (role) {
      case 'clinician':
        return READS.has(permission) || WRITES.has(permission);
      case 'patient':
        return READS.has(permission);
      case 'partner':
        return isSystemClient(p) || READS.has(permission);
      case 'pharmacist':
        return READS.has(permission) && PHARMACY_DATA.has(type);
      case 'admin':
        return WRITES.has(permission);
      case 'scheduler':
      case 'billing':
      case 'researcher':
      case 'auditor':
        return false;
    }
  });
}

/**
 * Access to one type of clinical resource: the kernel's shared facts (care
 * team, break-the-glass, consent) under the role policy above, with the
 * record's security labels, which consent decides on (a substance-use record
 * needs a consent that names it).
 */
export const clinicalAccess = (
  type: ClinicalType,
  permission: Permission,
): AccessPolicy<ClinicalSubject> => ({
  dataClass: type,
  permission,
  roleAllows: (p) => roleAllows(p, type, permission),
  labelsOf: (s) => s.labels ?? [],
});

/** Decides clinical access per subject, one batch of facts for all. */
export function decideClinical(
  ctx: FhirContext,
  subjects: readonly ClinicalSubject[],
  type: ClinicalType,
  permission: Permission,
): Promise<PatientAccessDecision[]> {
  return decideRecords(ctx, subjects, clinicalAccess(type, permission));
}

/** The audit event of one clinical access. */
export function clinicalEvent(
  subject: ClinicalSubject,
  d: PatientAccessDecision,
  type: ClinicalType,
  action: AccessEvent['action'],
  resourceId?: string,
): AccessEvent {
  return recordEvent(subject.patientId, d, type, action, resourceId);
}

/** A clinician's write, decided inside its transaction by `auditedWrite`. */
export function clinicalWrite(
  ctx: FhirContext,
  subject: ClinicalSubject,
  type: ClinicalType,
  permission: Permission,
  action: AccessEvent['action'],
  resourceId?: string,
): WriteAccess {
  return writeAccess(ctx, subject, clinicalAccess(type, permission), action, NO_ACCESS, resourceId);
}
