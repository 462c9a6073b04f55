import DataLoader from 'dataloader';
import {
  consentRecordOf,
  decideRecords,
  factsOf,
  recordEvent,
  requireRecord,
  type AccessFactsLoader,
  type ConsentRecord,
  type PatientAccessDecision,
  type Permission,
} from '../../platform/authz/index.js';
import type { AccessEvent } from '../../platform/audit/request-audit.js';
import type { PatientContext } from './context.js';
import type { ConsentRecordEntity } from './entities/index.js';
import type { PatientLoaders } from './loaders.js';

/** The one answer for a record the caller may not touch or that does not exist. */
export const NO_ACCESS = 'Not permitted to access this record, or it does not exist';

/** A consent row as the policy core reads it. */
export const toConsentRecord = (c: ConsentRecordEntity): ConsentRecord => consentRecordOf(c);

/**
 * The kernel's access facts from the patient subgraph's own tables (the
 * source every other subgraph's projection is fed from): consents, the
 * caller's open care-team links and unexpired grants, one statement per kind
 * per batch.
 */
export function ownAccessFacts(
  loaders: PatientLoaders,
  practitionerId?: string,
): AccessFactsLoader {
  return new DataLoader(async (ids) => {
    const [teams, consents, grants] = await Promise.all([
      practitionerId ? loaders.careTeam.loadMany(ids) : [],
      loaders.consents.loadMany(ids),
      loaders.myGrants.loadMany(ids),
    ]);
    const rows = <T>(v: (T[] | Error)[]): T[] =>
      v.flatMap((x) => {
        if (x instanceof Error) throw x;
        return x;
      });
    const team = new Set(
      rows(teams)
        .filter((m) => m.practitionerId === practitionerId)
        .map((m) => m.patientId),
    );
    return factsOf(ids, rows(consents).map(toConsentRecord), team, rows(grants));
  });
}

/** Decides access to each patient for the caller (the kernel, one batch of facts per kind). */
export async function decideMany(
  ctx: PatientContext,
  patientIds: readonly string[],
  dataClass: string,
  permission: Permission,
): Promise<Map<string, PatientAccessDecision>> {
  const ids = [...new Set(patientIds)];
  const decisions = await decideRecords(
    ctx,
    ids.map((patientId) => ({ patientId })),
    { dataClass, permission },
  );
  return new Map(ids.map((id, i) => [id, decisions[i]!]));
}

/** The audit event for one decision. */
export function accessEvent(
  patientId: string,
  d: PatientAccessDecision,
  action: AccessEvent['action'],
  resourceType: string,
  resourceId?: string,
): AccessEvent {
  return recordEvent(patientId, d, resourceType, action, resourceId ?? patientId);
}

/**
 * Authorises one access to one patient, auditing the outcome. A denial is
 * committed to the audit log before FORBIDDEN is returned, and the message
 * does not tell whether the record exists.
 */
export function requireAccess(
  ctx: PatientContext,
  patientId: string,
  dataClass: string,
  permission: Permission,
  action: AccessEvent['action'],
): Promise<PatientAccessDecision> {
  return requireRecord(ctx, { patientId }, { dataClass, permission }, action, NO_ACCESS, patientId);
}
