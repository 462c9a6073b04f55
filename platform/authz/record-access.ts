import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlPart } from '../db/statement.js';
import { decisionEvent, recordAccess, type AccessEvent } from '../audit/request-audit.js';
import { forbidden } from '../errors/index.js';
import type { RequestContext } from '../federation/context.js';
import type { Principal } from '../identity/principal.js';
import type { AccessFactsLoader } from './access-facts/facts.js';
import { activeGrant } from './break-glass.js';
import { decidePatientAccess, type PatientAccessDecision } from './decide.js';
import type { Permission } from './scopes.js';

/**
 * A request context the kernel can decide in: the subgraph's loader of
 * access facts (its projections, or the patient subgraph's own tables).
 */
export interface AccessContext extends RequestContext {
  accessFacts: AccessFactsLoader;
  /**
   * The same facts read through a write transaction's `em` (its connection),
   * holding the patients' lock until it commits, so that the decision and
   * the write see one state of the facts.
   */
  accessFactsFor: (em: EntityManager, lockHeld?: boolean) => AccessFactsLoader;
  /**
   * The same lock as a statement part, for a write that takes it in a
   * statement of its own choosing (`auditedWrite`'s first) and then reads with
   * `accessFactsFor(em, true)`. Absent: `accessFactsFor` locks by itself.
   */
  accessFactsLock?: (patientIds: readonly string[]) => SqlPart;
}

/** Whose record it is; subgraphs add what their own rules read (a practitioner, a payer). */
export interface RecordSubject {
  patientId: string;
}

/**
 * How one kind of access is decided, beyond the shared facts: the data class
 * (a FHIR resource type, also the audit's resource type), the permission,
 * the subgraph's role policy (minimum necessary) and its own compartment
 * facts by name. A named fact adds to the care team, never replaces it: a
 * clinician reaches a record when on the patient's care team or when any of
 * the subgraph's facts holds for the record (such as "the clinician of this
 * appointment").
 */
export interface AccessPolicy<S extends RecordSubject = RecordSubject> {
  dataClass: string;
  permission: Permission;
  /** Default: the role may (the shield has already gated the field). */
  roleAllows?: (principal: Principal, subject: S) => boolean;
  compartment?: Readonly<Record<string, (principal: Principal, subject: S) => boolean>>;
  /**
   * Whether the shared care team, break-the-glass grants and named facts place
   * anyone in this data's compartment (default true). A policy that admits no
   * clinician turns it off, so a token's clinician role can never lend its
   * reach to the token's other roles (a clinician who is also a patient).
   */
  clinicalReach?: boolean;
  /** The record's security labels (sensitivity codes such as `ETH`), which consent decides on. */
  labelsOf?: (subject: S) => readonly string[];
  /**
   * A break-the-glass grant also opens creating this data (an emergency
   * prescription); by default a grant opens reads only.
   */
  emergencyCreates?: boolean;
}

/**
 * Decides each subject for the caller, from one set of access facts per
 * patient (one batch, however many subjects) and one decision function
 * (`decidePatientAccess`): role policy, SMART scope, compartment (care team,
 * the subgraph's named facts, or an applicable break-the-glass grant) and
 * consent.
 */
export async function decideRecords<S extends RecordSubject>(
  ctx: AccessContext,
  subjects: readonly S[],
  policy: AccessPolicy<S>,
): Promise<PatientAccessDecision[]> {
  if (!subjects.length) return [];
  const { principal, now } = ctx;
  const facts = await ctx.accessFacts.loadMany(subjects.map((s) => s.patientId));
  return subjects.map((s, i) => {
    const f = facts[i];
    if (f instanceof Error || f === undefined) throw f ?? new Error('access facts missing');
    const reach = policy.clinicalReach !== false;
    const named = reach
      ? Object.entries(policy.compartment ?? {})
          .filter(([, holds]) => holds(principal, s))
          .map(([name]) => name)
      : [];
    const grant =
      reach && principal.practitionerId
        ? activeGrant(f.grants, principal.practitionerId, s.patientId, now)
        : undefined;
    return decidePatientAccess({
      principal,
      patientId: s.patientId,
      dataClass: policy.dataClass,
      ...(policy.labelsOf ? { labels: policy.labelsOf(s) } : {}),
      permission: policy.permission,
      careTeam: reach && f.onCareTeam,
      compartmentFacts: named,
      consents: f.consents,
      ...(grant ? { grant } : {}),
      ...(policy.emergencyCreates ? { emergencyCreates: true } : {}),
      now,
      roleAllows: policy.roleAllows ? policy.roleAllows(principal, s) : true,
      patientKnown: f.known,
    });
  });
}

/**
 * An access a write decides inside its own transaction (`auditedWrite`): the
 * subject, the policy, and the one answer for a refusal. Decided there on the
 * transaction's connection, with the patients' lock held to commit.
 */
export interface WriteAccess {
  /**
   * The patients' facts lock, when the write may send it in a statement of
   * its own (then `decide(em, true)`, in a later statement).
   */
  lock?: SqlPart;
  /** Decides on `em` (the write's transaction); `lockHeld` when `lock` was taken. */
  decide: (em: EntityManager, lockHeld?: boolean) => Promise<PatientAccessDecision>;
  /** The audit event of a refusal (committed on its own, after the rollback). */
  refusal: (decision: PatientAccessDecision) => AccessEvent;
  noAccess: string;
}

/** How `auditedWrite` decides one write's access inside its transaction (see `WriteAccess`). */
export function writeAccess<S extends RecordSubject>(
  ctx: AccessContext,
  subject: S,
  policy: AccessPolicy<S>,
  action: AccessEvent['action'],
  noAccess: string,
  resourceId?: string,
): WriteAccess {
  return {
    ...(ctx.accessFactsLock ? { lock: ctx.accessFactsLock([subject.patientId]) } : {}),
    decide: async (em, lockHeld) => {
      const [d] = await decideRecords(
        { ...ctx, em, accessFacts: ctx.accessFactsFor(em, lockHeld) },
        [subject],
        policy,
      );
      return d!;
    },
    refusal: (d) => recordEvent(subject.patientId, d, policy.dataClass, action, resourceId),
    noAccess,
  };
}

/** A patient id no one has: what a missing record is decided as, so it costs what a refused one does. */
export const NO_PATIENT = '00000000-0000-0000-0000-000000000000';

/**
 * Decides and audits an access to a record that may not exist, taking the
 * same path either way: a missing record is decided (as a record of no
 * patient, on the same facts query) and audited as a refused access
 * (`denied:not-found`), so neither the answer nor its timing tells a caller
 * whether a record they may not see exists. Returns the decision, refused
 * for a missing record.
 */
export async function decideFound<S extends RecordSubject>(
  ctx: AccessContext,
  record: S | undefined,
  policy: AccessPolicy<S>,
  action: AccessEvent['action'],
  resourceId: string,
): Promise<PatientAccessDecision> {
  if (record) {
    const [d] = await decideRecords(ctx, [record], policy);
    await recordAccess(ctx, [
      recordEvent(record.patientId, d!, policy.dataClass, action, resourceId),
    ]);
    return d!;
  }
  const { dataClass, permission, clinicalReach } = policy;
  const [d] = await decideRecords(ctx, [{ patientId: NO_PATIENT }], {
    dataClass,
    permission,
    ...(clinicalReach === undefined ? {} : { clinicalReach }),
  });
  const missing = { ...d!, allowed: false };
  await recordAccess(ctx, [
    {
      ...decisionEvent(missing, {
        patientId: NO_PATIENT,
        resourceType: dataClass,
        resourceId,
        action,
      }),
      patientId: undefined,
      reason: 'denied:not-found',
    },
  ]);
  return missing;
}

/**
 * `decideFound`, then FORBIDDEN with `noAccess` (one answer for missing and
 * refused) unless allowed. Returns the record and its permit.
 */
export async function requireFound<S extends RecordSubject>(
  ctx: AccessContext,
  record: S | undefined,
  policy: AccessPolicy<S>,
  action: AccessEvent['action'],
  noAccess: string,
  resourceId: string,
): Promise<{ record: S; decision: PatientAccessDecision }> {
  const decision = await decideFound(ctx, record, policy, action, resourceId);
  if (!record || !decision.allowed) throw forbidden(noAccess);
  return { record, decision };
}

/** The audit event of one decided access to one record. */
export function recordEvent(
  patientId: string,
  decision: PatientAccessDecision,
  dataClass: string,
  action: AccessEvent['action'],
  resourceId?: string,
): AccessEvent {
  return decisionEvent(decision, { patientId, resourceType: dataClass, resourceId, action });
}

/**
 * Authorises one access, auditing (and committing) a refusal before
 * FORBIDDEN; `noAccess` is the one answer for a refused and a missing record.
 * The permit is returned for the caller to audit with its effect.
 */
export async function requireRecord<S extends RecordSubject>(
  ctx: AccessContext,
  subject: S,
  policy: AccessPolicy<S>,
  action: AccessEvent['action'],
  noAccess: string,
  resourceId?: string,
): Promise<PatientAccessDecision> {
  const [decision] = await decideRecords(ctx, [subject], policy);
  if (!decision!.allowed) {
    await recordAccess(ctx, [
      recordEvent(subject.patientId, decision!, policy.dataClass, action, resourceId),
    ]);
    throw forbidden(noAccess);
  }
  return decision!;
}

/**
 * The records the caller may read: one decision each, every permit and deny
 * audited in one statement before anything is returned. Refused records are
 * left out.
 */
export async function readableRecords<S extends RecordSubject & { id: string }>(
  ctx: AccessContext,
  records: readonly S[],
  policy: AccessPolicy<S>,
  action: 'read' | 'search',
): Promise<S[]> {
  if (!records.length) return [];
  const decisions = await decideRecords(ctx, records, policy);
  await recordAccess(
    ctx,
    records.map((r, i) => recordEvent(r.patientId, decisions[i]!, policy.dataClass, action, r.id)),
  );
  return records.filter((_, i) => decisions[i]!.allowed);
}

/**
 * Decides and audits whole lists per patient (a patient's appointments,
 * payments): one decision and one audit entry per patient, for every key of
 * the batch in one round. Returns each key's decision.
 */
export async function decideLists<S extends RecordSubject>(
  ctx: AccessContext,
  subjects: readonly S[],
  policy: AccessPolicy<S>,
  action: AccessEvent['action'] = 'search',
): Promise<PatientAccessDecision[]> {
  const decisions = await decideRecords(ctx, subjects, policy);
  await recordAccess(
    ctx,
    subjects.map((s, i) => recordEvent(s.patientId, decisions[i]!, policy.dataClass, action)),
  );
  return decisions;
}

/** One access to decide and audit, batched with every other in the same tick. */
export interface AccessRequestKey {
  patientId: string;
  dataClass: string;
  permission: Permission;
  action: AccessEvent['action'];
  resourceId?: string;
}

/**
 * Decides and audits accesses in batches: however many patients a list
 * shows, the nested fields of one kind cost one decision round and one audit
 * INSERT. Refusals resolve to a decision with `allowed: false`.
 */
export function createAccessLoader(
  ctx: AccessContext,
  policyOf: (dataClass: string, permission: Permission) => AccessPolicy = (
    dataClass,
    permission,
  ) => ({
    dataClass,
    permission,
  }),
): DataLoader<AccessRequestKey, PatientAccessDecision, string> {
  return new DataLoader<AccessRequestKey, PatientAccessDecision, string>(
    async (keys) => {
      const groups = new Map<string, AccessRequestKey[]>();
      for (const k of keys) {
        const g = `${k.dataClass}|${k.permission}`;
        groups.set(g, [...(groups.get(g) ?? []), k]);
      }
      const decided = new Map<AccessRequestKey, PatientAccessDecision>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const { dataClass, permission } = group[0]!;
          const decisions = await decideRecords(ctx, group, policyOf(dataClass, permission));
          group.forEach((k, i) => decided.set(k, decisions[i]!));
        }),
      );
      await recordAccess(
        ctx,
        keys.map((k) =>
          recordEvent(k.patientId, decided.get(k)!, k.dataClass, k.action, k.resourceId),
        ),
      );
      return keys.map((k) => decided.get(k)!);
    },
    {
      cacheKeyFn: (k) =>
        JSON.stringify([k.patientId, k.dataClass, k.permission, k.action, k.resourceId]),
    },
  );
}
