import { randomUUID } from 'node:crypto';
import { OptimisticLockError } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { GraphQLError } from 'graphql';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { recordAccess, type DecisionFacts } from '../../../platform/audit/request-audit.js';
import { conflict, forbidden, mapDatabaseError } from '../../../platform/errors/index.js';
import type { PatientContext } from '../context.js';
import {
  publishCareTeamChanged,
  publishPatientRegistered,
  publishProfileChanged,
} from '../events.js';
import type { PatientAccessDecision } from '../../../platform/authz/index.js';
import { accessEvent, careTeamRead, decideMany, NO_ACCESS, patientWrite } from '../access.js';
import { CareTeamMember, PatientRecord, PatientVersion } from '../entities/index.js';
import type { PatientData, PatientView } from '../domain/patient-data.js';
import {
  decodePatient,
  decodePatientFields,
  encodePatient,
  encodeSnapshot,
  type EncryptedPatient,
  type PartialPatientView,
  type PhiField,
} from './patient-codec.js';
import { queueIfDuplicate, refuseVisibleDuplicate } from './registration-review.js';

/**
 * What a read shows of each patient: the PHI fields to decrypt, and whether
 * the query certainly shows the care team (`selectsField`).
 */
export interface PatientSelection {
  fields: ReadonlySet<PhiField>;
  careTeam: boolean;
}

/**
 * Reads patients for the caller: each patient's record and decision facts in
 * one statement for the batch (`ctx.patientRows`), a decision each, every
 * permit and deny audited in one statement (before any data leaves), then
 * decrypts, of what was allowed, only the PHI `fields` the query selected.
 * Denied and missing ids both map to FORBIDDEN with one message.
 */
export async function readPatients(
  ctx: PatientContext,
  ids: readonly string[],
  action: 'read' | 'search',
  { fields, careTeam }: PatientSelection,
): Promise<Map<string, PartialPatientView | GraphQLError>> {
  const decisions = await decideMany(ctx, ids, 'Patient', action === 'read' ? 'r' : 's');
  // Already loaded with the facts the decisions read: no further statement.
  const rows = await ctx.patientRows.loadMany([...decisions.keys()]);
  const found = new Map<string, EncryptedPatient>();
  [...decisions].forEach(([id, d], i) => {
    const r = rows[i];
    if (r instanceof Error) throw r;
    if (d.allowed && r?.record) found.set(id, r.record);
  });
  // The care team of every patient shown, when the query certainly shows it: decided on the
  // same facts and audited in the same statement, then served to `Patient.careTeam` from cache.
  const team =
    careTeam && found.size
      ? await decideMany(ctx, [...found.keys()], 'CareTeam', 'r')
      : new Map<string, PatientAccessDecision>();
  await recordAccess(ctx, [
    ...[...decisions]
      .filter(([id, d]) => !d.allowed || found.has(id))
      .map(([id, d]) => accessEvent(id, d, action, 'Patient')),
    ...[...team].map(([id, d]) => accessEvent(id, d, 'read', 'CareTeam')),
  ]);
  for (const [id, d] of team) ctx.access.prime(careTeamRead(id), d);
  const out = new Map<string, PartialPatientView | GraphQLError>();
  for (const [id, d] of decisions) {
    const record = found.get(id);
    // Refused and missing read the same, so no caller learns that a refused record exists.
    if (!d.allowed || !record) out.set(id, forbidden(NO_ACCESS));
    else out.set(id, await decodePatientFields(ctx.em, ctx.services.cipher, record, fields));
  }
  return out;
}

/** Registration is decided by the shield (role and scope): there is no record to decide on yet. */
export const registration = (ctx: PatientContext): DecisionFacts => ({
  allowed: true,
  emergency: false,
  purpose: ctx.principal.purposeOfUse,
  reason: 'ok',
});

/** A new patient's record (version 1, created now), its PHI encrypted; not yet persisted. */
export async function newPatientRecord(
  ctx: PatientContext,
  em: EntityManager,
  id: string,
  data: PatientData,
): Promise<PatientRecord> {
  const { cipher, indexKey } = ctx.services;
  return em.create(PatientRecord, {
    ...(await encodePatient(em, cipher, indexKey, id, data)),
    version: 1,
    active: true,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  });
}

/** The history row of one version: the whole record, encrypted; not yet persisted. */
export async function versionRow(
  ctx: PatientContext,
  em: EntityManager,
  patientId: string,
  version: number,
  data: PatientData,
): Promise<PatientVersion> {
  return em.create(PatientVersion, {
    id: randomUUID(),
    patientId,
    version,
    snapshot: await encodeSnapshot(em, ctx.services.cipher, patientId, version, data),
    recordedAt: ctx.now,
    recordedBy: ctx.principal.sub,
  });
}

/**
 * Creates a patient with its first version and audit entry in one transaction. An MRN that is
 * already registered is CONFLICT only for a caller who may read the record holding it; for
 * anyone else the registration succeeds like any other and is queued for duplicate review, so
 * the answer never tells a caller that a record they may not see exists.
 */
export async function createPatient(
  ctx: PatientContext,
  data: PatientData,
  id: string = randomUUID(),
): Promise<PatientView> {
  await refuseVisibleDuplicate(ctx, data.mrn);
  const p = ctx.principal;
  const audit = {
    decision: registration(ctx),
    patientId: id,
    dataClass: 'Patient',
    action: 'create',
  } as const;
  let link: CareTeamMember | undefined;
  try {
    return await auditedWrite(ctx, audit, {
      write: async (em) => {
        await em.persist(await newPatientRecord(ctx, em, id, data)).flush();
        await queueIfDuplicate(ctx, em, id, data.mrn);
        em.persist(await versionRow(ctx, em, id, 1, data));
        // A clinician who registers a patient is on that patient's care team, in every subgraph.
        link =
          p.roles.includes('clinician') && p.practitionerId
            ? em.create(CareTeamMember, {
                id: randomUUID(),
                patientId: id,
                practitionerId: p.practitionerId,
                role: 'registering-clinician',
                since: ctx.now,
                addedBy: p.sub,
              })
            : undefined;
        if (link) em.persist(link);
        await em.flush();
        return { id, result: { ...data, id, version: 1, active: true, updatedAt: ctx.now } };
      },
      publish: async (em) => {
        await publishPatientRegistered(em, id, ctx.now);
        await publishProfileChanged(em, id, 1, data, ctx.now);
        if (link) await publishCareTeamChanged(em, link, ctx.now);
      },
    });
  } catch (err) {
    throw mapDatabaseError(err) ?? err;
  }
}

/**
 * Applies changes to a patient if `expectedVersion` is still current: the new
 * version is kept whole in history, and the write and its audit entry commit
 * together. A stale version gets CONFLICT with the current version number.
 */
export async function updatePatient(
  ctx: PatientContext,
  id: string,
  expectedVersion: number,
  change: (current: PatientData) => PatientData,
): Promise<PatientView> {
  const { cipher, indexKey } = ctx.services;
  const audit = {
    decision: patientWrite(ctx, id, 'Patient', 'u', 'update'),
    patientId: id,
    dataClass: 'Patient',
    action: 'update',
  } as const;
  try {
    return await auditedWrite(ctx, audit, {
      write: async (em) => {
        const record = await em.findOne(PatientRecord, { id });
        if (!record) throw forbidden(NO_ACCESS);
        if (record.version !== expectedVersion)
          throw conflict('The record changed since you read it; read it again and retry', {
            currentVersion: record.version,
          });
        const next = change(await decodePatient(em, cipher, record));
        em.assign(record, await encodePatient(em, cipher, indexKey, id, next));
        await em.flush(); // bumps version with a compare on the old one
        em.persist(await versionRow(ctx, em, id, record.version, next));
        await em.flush();
        return {
          id,
          result: {
            ...next,
            id,
            version: record.version,
            active: record.active,
            updatedAt: record.updatedAt,
          },
        };
      },
      publish: (em, view) => publishProfileChanged(em, id, view.version, view, ctx.now),
    });
  } catch (err) {
    if (err instanceof OptimisticLockError)
      throw conflict('The record changed since you read it; read it again and retry');
    throw mapDatabaseError(err) ?? err;
  }
}
