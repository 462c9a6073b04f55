import DataLoader from 'dataloader';
import {
  consentRecordOf,
  decidePatientAccess,
  type ConsentRecord,
  type PatientAccessDecision,
  type Permission,
} from '../../platform/authz/index.js';
import {
  decisionEvent,
  recordAccess,
  type AccessEvent,
} from '../../platform/audit/request-audit.js';
import { forbidden } from '../../platform/errors/index.js';
import type { PatientContext } from './context.js';
import type { ConsentRecordEntity } from './entities/index.js';

/** The one answer for a record the caller may not touch or that does not exist. */
export const NO_ACCESS = 'Not permitted to access this record, or it does not exist';

/** A consent row as the policy core reads it. */
export const toConsentRecord = (c: ConsentRecordEntity): ConsentRecord => consentRecordOf(c);

/**
 * Decides access to each patient for the caller: SMART scope, patient
 * compartment or care team, break-the-glass and consent, with the facts
 * loaded in one batch per kind whatever the number of patients.
 */
export async function decideMany(
  ctx: PatientContext,
  patientIds: readonly string[],
  dataClass: string,
  permission: Permission,
): Promise<Map<string, PatientAccessDecision>> {
  const { principal, loaders, now } = ctx;
  const ids = [...new Set(patientIds)];
  // load() (not loadMany) so a failed batch rejects instead of yielding Error values.
  const all = <V>(load: (id: string) => Promise<V>) => Promise.all(ids.map(load));
  const [teams, consents, grants] = await Promise.all([
    principal.practitionerId ? all((id) => loaders.careTeam.load(id)) : ids.map(() => []),
    all((id) => loaders.consents.load(id)),
    all((id) => loaders.myGrants.load(id)),
  ]);
  const out = new Map<string, PatientAccessDecision>();
  ids.forEach((patientId, i) => {
    const team = teams[i] ?? [];
    const cons = consents[i] ?? [];
    const grant = grants[i] ?? [];
    out.set(
      patientId,
      decidePatientAccess({
        principal,
        patientId,
        dataClass,
        permission,
        careTeam: team.some((m) => m.practitionerId === principal.practitionerId),
        consents: cons.map(toConsentRecord),
        grant: grant[0],
        now,
        roleAllows: true,
      }),
    );
  });
  return out;
}

/** The audit event for one decision. */
export function accessEvent(
  patientId: string,
  d: PatientAccessDecision,
  action: AccessEvent['action'],
  resourceType: string,
  resourceId?: string,
): AccessEvent {
  return decisionEvent(d, { patientId, resourceType, resourceId: resourceId ?? patientId, action });
}

/**
 * Authorises one access to one patient, auditing the outcome. A denial is
 * committed to the audit log before FORBIDDEN is returned, and the message
 * does not tell whether the record exists.
 */
export async function requireAccess(
  ctx: PatientContext,
  patientId: string,
  dataClass: string,
  permission: Permission,
  action: AccessEvent['action'],
): Promise<PatientAccessDecision> {
  const decision = (await decideMany(ctx, [patientId], dataClass, permission)).get(patientId)!;
  if (!decision.allowed) {
    await recordAccess(ctx, [accessEvent(patientId, decision, action, dataClass)]);
    throw forbidden(NO_ACCESS);
  }
  return decision;
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
 * shows, the nested fields of one kind cost one decision round and one
 * audit INSERT. Refusals resolve to a decision with `allowed: false`.
 */
export function createAccessLoader(
  ctx: PatientContext,
): DataLoader<AccessRequestKey, PatientAccessDecision, string> {
  return new DataLoader<AccessRequestKey, PatientAccessDecision, string>(
    async (keys) => {
      const groups = new Map<string, AccessRequestKey[]>();
      for (const k of keys) {
        const g = `${k.dataClass}|${k.permission}`;
        groups.set(g, [...(groups.get(g) ?? []), k]);
      }
      const decided = new Map<string, PatientAccessDecision>();
      await Promise.all(
        [...groups.values()].map(async (group) => {
          const { dataClass, permission } = group[0]!;
          const decisions = await decideMany(
            ctx,
            group.map((k) => k.patientId),
            dataClass,
            permission,
          );
          for (const [id, d] of decisions) decided.set(`${dataClass}|${permission}|${id}`, d);
        }),
      );
      const decisionOf = (k: AccessRequestKey) =>
        decided.get(`${k.dataClass}|${k.permission}|${k.patientId}`)!;
      await recordAccess(
        ctx,
        keys.map((k) =>
          accessEvent(k.patientId, decisionOf(k), k.action, k.dataClass, k.resourceId),
        ),
      );
      return keys.map(decisionOf);
    },
    {
      cacheKeyFn: (k) =>
        JSON.stringify([k.patientId, k.dataClass, k.permission, k.action, k.resourceId]),
    },
  );
}
