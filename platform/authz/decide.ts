import type { Principal, PurposeOfUse, Role } from '../identity/principal.js';
import { grantApplies, type BreakGlassGrant } from './break-glass.js';
import { evaluateConsent, type ConsentActor, type ConsentRecord } from './consent.js';
import { parseScopes, scopeAllows, type Permission, type ScopeContext } from './scopes.js';

/** Everything `decidePatientAccess` needs to decide one access to one patient's record. */
export interface PatientAccessInput {
  principal: Principal;
  patientId: string;
  /** The FHIR resource type touched, e.g. `Observation`. */
  dataClass: string;
  /** The record's security labels (sensitivity codes, e.g. `ETH`), for consent. */
  labels?: readonly string[];
  permission: Permission;
  /** The principal's practitioner is on this patient's care team (an open care-team link). */
  careTeam: boolean;
  /**
   * The subgraph's own compartment facts that hold for this record, by name
   * (e.g. `appointment-clinician`): each places a clinician in the compartment
   * beside the care team, never instead of it.
   */
  compartmentFacts?: readonly string[];
  /** This patient's consents; any of another patient are ignored. */
  consents: readonly ConsentRecord[];
  /** A break-the-glass grant to check; it counts only if it applies to this principal now. */
  grant?: BreakGlassGrant;
  /**
   * A grant also opens creating records of this data class (an emergency
   * prescription), not only reading them. Default false: a grant never opens
   * writes such as joining the care team.
   */
  emergencyCreates?: boolean;
  now: Date;
  /** The caller's role-level policy result (including minimum necessary). */
  roleAllows: boolean;
  /**
   * The patient exists as far as the deciding subgraph knows (default true).
   * A write for an unknown patient is refused, after every other layer and
   * with the same answer as any refusal, so it tells no one who exists.
   */
  patientKnown?: boolean;
}

/** Which check decided: the failing layer, or `ok` / `break-glass` when allowed. */
export type AccessReason =
  'scope' | 'role' | 'compartment' | 'consent' | 'unknown-patient' | 'ok' | 'break-glass';

/** The decision, with what the audit record needs: purpose, emergency flag, deciding consent. */
export interface PatientAccessDecision {
  allowed: boolean;
  /** True when access rests on break-the-glass; audit it as emergency access. */
  emergency: boolean;
  purpose: PurposeOfUse;
  reason: AccessReason;
  consentId?: string;
}

/** The principal as consent provisions see it. */
export function consentActorOf(p: Principal): ConsentActor {
  return {
    practitionerId: p.practitionerId,
    organizationId: p.organizationId,
    clientId: p.clientId,
    roles: p.roles,
    sub: p.sub,
  };
}

function inPatientContext(p: Principal, patientId: string): boolean {
  return p.patientId !== undefined && p.patientId === patientId;
}

const READS: ReadonlySet<Permission> = new Set(['r', 's']);

/**
 * The scope contexts that count for this principal and patient: `patient/`
 * only inside the principal's own patient context; a partner app acting for
 * no patient (and no person) only through `system/` scopes.
 */
export function scopeContexts(p: Principal, patientId?: string): ScopeContext[] {
  const appOnly = p.roles.every((r) => r === 'partner') && p.patientId === undefined;
  if (appOnly) return ['system'];
  return patientId === undefined
    ? p.patientId
      ? ['patient', 'user', 'system']
      : ['user', 'system']
    : inPatientContext(p, patientId)
      ? ['patient', 'user', 'system']
      : ['user', 'system'];
}

// Compartment reach of one role, before break-the-glass.
function roleReaches(role: Role, p: Principal, patientId: string, inCompartment: boolean): boolean {
  switch (role) {
    case 'patient':
      return inPatientContext(p, patientId);
    case 'partner':
      // A partner with a patient context acts for that patient; without one it holds
      // system scopes, which the scope check has already bounded.
      return p.patientId === undefined || p.patientId === patientId;
    case 'clinician':
      return inCompartment;
    case 'scheduler':
    case 'pharmacist':
    case 'billing':
    case 'admin':
      return true;
    case 'researcher':
    case 'auditor':
      return false;
  }
}

function result(
  allowed: boolean,
  reason: AccessReason,
  purpose: PurposeOfUse,
  consentId?: string,
): PatientAccessDecision {
  const emergency = reason === 'break-glass';
  return consentId === undefined
    ? { allowed, emergency, purpose, reason }
    : { allowed, emergency, purpose, reason, consentId };
}

/**
 * Decides one access to one patient's record; effective access is the intersection of:
 *
 * 1. role: `roleAllows`, the caller's role-level policy;
 * 2. SMART scope for `dataClass` and `permission`; `patient/` scopes count only when
 *    `principal.patientId === patientId`;
 * 3. compartment: a patient, or a partner with a patient context, reaches only that patient;
 *    a clinician only patients on their care team or records a subgraph's named compartment
 *    fact places them in (the clinician of an appointment), or one they hold an applicable
 *    break-the-glass grant for (then purpose ETREAT, emergency); scheduler, pharmacist,
 *    billing, admin and partners without a patient context are not compartment-bound here;
 *    researcher and auditor reach no record. Several roles reach if any one does;
 * 4. consent, evaluated with the effective purpose: a deny blocks, except that a clinician's
 *    applicable grant overrides it (emergency, ETREAT, the overridden consent named). A
 *    patient reading their own record is never blocked by their own consent;
 * 5. existence: a write (create, update, delete) for a patient the subgraph
 *    does not know is refused (`unknown-patient`), decided last so that a
 *    caller refused for any other reason gets that refusal either way.
 */
export function decidePatientAccess(input: PatientAccessInput): PatientAccessDecision {
  const decision = decideLayers(input);
  if (decision.allowed && input.patientKnown === false && !READS.has(input.permission))
    return result(false, 'unknown-patient', decision.purpose);
  return decision;
}

function decideLayers(input: PatientAccessInput): PatientAccessDecision {
  const { principal: p, patientId, now } = input;
  if (!input.roleAllows) return result(false, 'role', p.purposeOfUse);

  const contexts: ScopeContext[] = scopeContexts(p, patientId);
  const scopeOk = scopeAllows(parseScopes(p.scopes), {
    resourceType: input.dataClass,
    permission: input.permission,
    contexts,
  });
  if (!scopeOk) return result(false, 'scope', p.purposeOfUse);

  const inCompartment = input.careTeam || (input.compartmentFacts?.length ?? 0) > 0;
  const reached = p.roles.some((r) => roleReaches(r, p, patientId, inCompartment));
  // Emergency access is for reading: a grant never opens writes (such as joining the care team),
  // except creating the records a policy names (`emergencyCreates`: an emergency prescription).
  const glass =
    (READS.has(input.permission) ||
      (input.emergencyCreates === true && input.permission === 'c')) &&
    p.roles.includes('clinician') &&
    p.practitionerId !== undefined &&
    input.grant !== undefined &&
    grantApplies(input.grant, p.practitionerId, patientId, now);
  if (!reached && !glass) return result(false, 'compartment', p.purposeOfUse);

  if (p.roles.includes('patient') && inPatientContext(p, patientId)) {
    return result(true, 'ok', p.purposeOfUse);
  }

  const purpose: PurposeOfUse = reached ? p.purposeOfUse : 'ETREAT';
  const consent = evaluateConsent(
    input.consents.filter((c) => c.patientId === patientId),
    {
      actor: consentActorOf(p),
      purpose,
      dataClass: input.dataClass,
      ...(input.labels?.length ? { labels: input.labels } : {}),
      disclosure: READS.has(input.permission),
      at: now,
    },
  );
  if (consent.decision === 'deny') {
    return glass
      ? result(true, 'break-glass', 'ETREAT', consent.consentId)
      : result(false, 'consent', purpose, consent.consentId);
  }
  return result(true, reached ? 'ok' : 'break-glass', purpose, consent.consentId);
}
