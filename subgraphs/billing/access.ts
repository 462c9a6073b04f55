import {
  decideRecords,
  readableRecords,
  recordEvent,
  requireRecord,
  writeAccess,
  type AccessPolicy,
  type PatientAccessDecision,
  type Permission,
  type WriteAccess,
} from '../../platform/authz/index.js';
import type { AccessEvent } from '../../platform/audit/request-audit.js';
import type { Principal } from '../../platform/identity/principal.js';
import type { BillingContext } from './context.js';

/** The one answer for billing data the caller may not touch or that does not exist. */
export const NO_ACCESS = 'Not permitted to access this billing record, or it does not exist';

/**
 * The FHIR resource types billing data is scoped and audited under:
 * Coverage, Claim, Account (balance, payments, refunds, adjustments,
 * statements) and ChargeItem (charges).
 */
export type BillingData = 'Coverage' | 'Claim' | 'Account' | 'ChargeItem';

/** One access to decide: whose account, and for claims and coverage the payer they are with. */
export interface BillingSubject {
  patientId: string;
  payerId?: string;
}

const READS: ReadonlySet<Permission> = new Set(['r', 's']);

/**
 * The payer a caller acts for: a partner app registered for a payer
 * organisation (its token carries `org`, no patient context). Undefined for
 * everyone else.
 */
export function payerOf(p: Principal): string | undefined {
  return p.roles.every((r) => r === 'partner') && p.patientId === undefined
    ? p.organizationId
    : undefined;
}

/**
 * Minimum necessary, by role: billing staff everything; admins read; a
 * patient (or an app acting for one) their own coverage, charges and account,
 * and pays; a payer app only claims and coverage with that payer; clinicians,
 * the front desk, pharmacists, researchers and auditors nothing.
 */
function roleAllows(
  p: Principal,
  subject: BillingSubject,
  data: BillingData,
  permission: Permission,
): boolean {
  const payer = payerOf(p);
  return p.roles.some((role) => {
    switch (role) {
      case 'billing':
        return true;
      case 'admin':
        return READS.has(permission);
      case 'patient':
        // Reads of their own account, and paying it (creating a payment).
        return (
          data !== 'Claim' && (READS.has(permission) || (data === 'Account' && permission === 'c'))
        );
      case 'partner':
        if (payer !== undefined)
          return (
            subject.payerId === payer &&
            (data === 'Claim' || (data === 'Coverage' && READS.has(permission)))
          );
        return (
          p.patientId !== undefined &&
          data !== 'Claim' &&
          (READS.has(permission) || (data === 'Account' && permission === 'c'))
        );
      case 'clinician':
      case 'scheduler':
      case 'pharmacist':
      case 'researcher':
      case 'auditor':
        return false;
    }
  });
}

/**
 * Access to billing data: the kernel's shared facts under billing's role
 * policy (minimum necessary, above). Billing admits no clinician, so the care
 * team and break-the-glass grants reach nothing here (`clinicalReach: false`):
 * a token that is a clinician and a patient reaches only its own account.
 * Consents apply as everywhere.
 */
export const billingAccess = (
  data: BillingData,
  permission: Permission,
): AccessPolicy<BillingSubject> => ({
  dataClass: data,
  permission,
  roleAllows: (p, s) => roleAllows(p, s, data, permission),
  clinicalReach: false,
});

/** Decides access to billing data per subject, one batch of facts for all. */
export function decideBilling(
  ctx: BillingContext,
  subjects: readonly BillingSubject[],
  data: BillingData,
  permission: Permission,
): Promise<PatientAccessDecision[]> {
  return decideRecords(ctx, subjects, billingAccess(data, permission));
}

/** The audit event for one billing access. */
export function billingEvent(
  subject: BillingSubject,
  d: PatientAccessDecision,
  data: BillingData,
  action: AccessEvent['action'],
  resourceId?: string,
): AccessEvent {
  return recordEvent(subject.patientId, d, data, action, resourceId);
}

/**
 * Reads records for the caller: one decision per record, every permit and
 * deny audited in one statement before anything is returned. Refused records
 * are left out.
 */
export function readable<T extends BillingSubject & { id: string }>(
  ctx: BillingContext,
  records: readonly T[],
  data: BillingData,
  action: 'read' | 'search',
): Promise<T[]> {
  return readableRecords(ctx, records, billingAccess(data, action === 'read' ? 'r' : 's'), action);
}

/** Authorises one access, auditing (and committing) a refusal before FORBIDDEN. */
export function requireBilling(
  ctx: BillingContext,
  subject: BillingSubject,
  data: BillingData,
  permission: Permission,
  action: AccessEvent['action'],
  resourceId?: string,
): Promise<PatientAccessDecision> {
  return requireRecord(
    ctx,
    subject,
    billingAccess(data, permission),
    action,
    NO_ACCESS,
    resourceId,
  );
}

/**
 * A write's access to billing data, decided inside the write's transaction
 * by `auditedWrite` (the patient's facts lock held to commit); a
 * refusal is audited and answers FORBIDDEN with `NO_ACCESS`.
 */
export function billingWrite(
  ctx: BillingContext,
  subject: BillingSubject,
  data: BillingData,
  permission: Permission,
  action: AccessEvent['action'],
  resourceId?: string,
): WriteAccess {
  return writeAccess(ctx, subject, billingAccess(data, permission), action, NO_ACCESS, resourceId);
}
