import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  consentRecordOf,
  decideRecords,
  factsOf,
  recordEvent,
  requireRecord,
  writeAccess,
  type AccessFactsLoader,
  type AccessRequestKey,
  type ConsentRecord,
  type PatientAccessDecision,
  type Permission,
  type WriteAccess,
} from '../../platform/authz/index.js';
import type { AccessEvent } from '../../platform/audit/request-audit.js';
import type { PatientContext } from './context.js';
import type { ConsentRecordEntity } from './entities/index.js';
import type { PatientLoaders } from './loaders.js';
import type { PatientRow } from './store/patient-rows.js';

/** The one answer for a record the caller may not touch or that does not exist. */
export const NO_ACCESS = 'Not permitted to access this record, or it does not exist';

/** A consent row as the policy core reads it. */
export const toConsentRecord = (c: ConsentRecordEntity): ConsentRecord => consentRecordOf(c);

/**
 * Which of `ids` are patients, one statement; with `lock` (a write's
 * transaction) each found row is locked (FOR NO KEY UPDATE, in id order)
 * until commit, so every write to one patient's data, including a change of
 * its consents or care team, decides and writes one at a time.
 */
export async function knownPatients(
  em: EntityManager,
  ids: readonly string[],
  lock = false,
): Promise<Set<string>> {
  const rows = await em.execute<{ id: string }[]>(
    `SELECT id FROM patient WHERE id IN (SELECT json_array_elements_text(?::json)::uuid)
      ORDER BY id${lock ? ' FOR NO KEY UPDATE' : ''}`,
    [JSON.stringify([...new Set(ids)])],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * The kernel's access facts from the patient subgraph's own tables (the
 * source every other subgraph's projection is fed from): whether each
 * patient exists, consents, the caller's open care-team links and unexpired
 * grants, one statement per kind per batch. With `lock`, on a write's
 * transaction `em`, the patients' rows are locked first (`knownPatients`).
 */
export function ownAccessFacts(
  em: EntityManager,
  loaders: PatientLoaders,
  practitionerId?: string,
  lock = false,
): AccessFactsLoader {
  return new DataLoader(async (ids) => {
    // Locked first, so every fact below is read with the patient's row held.
    const locked = lock ? await knownPatients(em, ids, true) : undefined;
    const [exists, teams, consents, grants] = await Promise.all([
      locked ? ids.map((id) => locked.has(id)) : loaders.exists.loadMany(ids),
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
    const known = new Set(ids.filter((_, i) => exists[i] === true));
    return factsOf(ids, rows(consents).map(toConsentRecord), team, rows(grants), known);
  });
}

/**
 * The kernel's access facts for reads, from the rows `createPatientRows`
 * loads (each patient's record and facts in one statement per batch): the
 * same facts as `ownAccessFacts`, without a statement of their own. The
 * caller is on the care team when one of the open links is theirs.
 */
export function readAccessFacts(
  rows: DataLoader<string, PatientRow>,
  practitionerId?: string,
): AccessFactsLoader {
  return new DataLoader(async (ids) => {
    const loaded = await rows.loadMany(ids);
    return loaded.map((r) => {
      if (r instanceof Error) throw r;
      return {
        consents: r.consents,
        onCareTeam:
          practitionerId !== undefined &&
          r.careTeam.some((m) => m.practitionerId === practitionerId),
        grants: r.grants,
        known: r.record !== undefined,
      };
    });
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

/** The access `Patient.careTeam` decides and audits for one patient (one key, wherever decided). */
export const careTeamRead = (patientId: string): AccessRequestKey => ({
  patientId,
  dataClass: 'CareTeam',
  permission: 'r',
  action: 'read',
  resourceId: patientId,
});

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

/**
 * A write's access to one patient's data, decided inside the write's
 * transaction by `auditedWrite` (the patient's row locked to commit); a
 * refusal is audited and answers FORBIDDEN with `NO_ACCESS`.
 */
export function patientWrite(
  ctx: PatientContext,
  patientId: string,
  dataClass: string,
  permission: Permission,
  action: AccessEvent['action'],
  resourceId: string = patientId,
): WriteAccess {
  return writeAccess(ctx, { patientId }, { dataClass, permission }, action, NO_ACCESS, resourceId);
}
