import { randomUUID } from 'node:crypto';
import { OptimisticLockError } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { GraphQLError } from 'graphql';
import { auditPart } from '../../../platform/audit/audit-part.js';
import {
  auditEntriesFor,
  decisionEvent,
  recordAccess,
  type AccessEvent,
} from '../../../platform/audit/request-audit.js';
import { StatementBatch } from '../../../platform/db/statement.js';
import { badInput, conflict, forbidden, mapDatabaseError } from '../../../platform/errors/index.js';
import type { PatientAccessDecision } from '../../../platform/authz/index.js';
import { accessEvent, decideMany, NO_ACCESS } from '../access.js';
import type { PatientContext } from '../context.js';
import { samePatientData, type PatientData } from '../domain/patient-data.js';
import { PatientRecord } from '../entities/index.js';
import { publishPatientRegisteredIn, publishProfileChangedIn } from '../events.js';
import { decodePatient, encodePatient, mrnIndex } from './patient-codec.js';
import { newPatientRecord, registration, versionRow } from './patient-repository.js';
import { lockMrns } from './registration-review.js';

/** The most patients one import call may carry. */
export const MAX_IMPORT = 100;

/** One patient to import: the caller's key for it and the whole record. */
export interface ImportEntry {
  sourceKey: string;
  data: PatientData;
}

export type ImportOutcome = 'CREATED' | 'UPDATED' | 'UNCHANGED';

/** What became of one entry. */
export interface Imported {
  sourceKey: string;
  id: string;
  outcome: ImportOutcome;
  version: number;
}

/** Rolls the import back; its events are audited after the rollback, then `error` answers. */
class Refused extends Error {
  constructor(
    readonly events: AccessEvent[],
    readonly error: GraphQLError,
  ) {
    super('refused');
  }
}

/** BAD_USER_INPUT naming the first entry whose MRN (as its blind index sees it) an earlier entry has. */
function refuseDuplicates(indexes: readonly string[]): void {
  const first = new Map<string, number>();
  indexes.forEach((ix, i) => {
    const earlier = first.get(ix);
    if (earlier !== undefined)
      throw badInput(
        `patients[${i}] has the MRN of patients[${earlier}]: send each patient once per call`,
        `patients.${i}.mrn`,
      );
    first.set(ix, i);
  });
}

/** The ids of the records holding each MRN blind index, one statement for the batch. */
async function idsByMrn(
  em: EntityManager,
  indexes: readonly string[],
): Promise<Map<string, string[]>> {
  const rows = await em.execute<{ id: string; mrn_index: string }[]>(
    `SELECT id, mrn_index FROM patient
      WHERE mrn_index IN (SELECT json_array_elements_text(?::json)) ORDER BY id`,
    [JSON.stringify(indexes)],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.mrn_index, [...(out.get(r.mrn_index) ?? []), r.id]);
  return out;
}

/**
 * Imports whole patient records matched by MRN (its blind index), all in one
 * transaction: an MRN no record holds is registered as `createPatient` does
 * (version 1, snapshot, `patient.registered`); a matched record whose data
 * equals the entry's (`samePatientData`) is left alone and audited as a read;
 * any other is replaced with the entry's data as a new version with its
 * snapshot, as `updatePatient` does. Every matched record is decided by the
 * kernel as an update, inside the transaction with the records locked; one
 * refusal (or an MRN held by several records) rolls everything back. The
 * statements are a fixed number for the batch, whatever its size.
 */
export async function importPatients(
  ctx: PatientContext,
  entries: readonly ImportEntry[],
): Promise<Imported[]> {
  if (entries.length < 1 || entries.length > MAX_IMPORT)
    throw badInput(`Send 1 to ${MAX_IMPORT} patients per call`, 'patients');
  const { cipher, indexKey } = ctx.services;
  const indexes = entries.map((e) => mrnIndex(indexKey, e.data.mrn));
  refuseDuplicates(indexes);
  try {
    return await ctx.em.transactional(async (em) => {
      // Serialised with registrations and imports of the same MRNs, then matched.
      await lockMrns(em, indexes);
      const matches = await idsByMrn(em, indexes);
      const existing = [...new Set([...matches.values()].flat())];
      // Decided on the transaction's connection, the records locked to commit (`accessFactsFor`).
      const decisions = existing.length
        ? await decideMany(
            { ...ctx, em, accessFacts: ctx.accessFactsFor(em) },
            existing,
            'Patient',
            'u',
          )
        : new Map<string, PatientAccessDecision>();
      const refused = [...decisions].filter(([, d]) => !d.allowed);
      if (refused.length)
        throw new Refused(
          refused.map(([id, d]) => accessEvent(id, d, 'update', 'Patient')),
          forbidden(NO_ACCESS),
        );
      const ambiguous = indexes.findIndex((ix) => (matches.get(ix)?.length ?? 0) > 1);
      if (ambiguous >= 0)
        throw new Refused(
          matches
            .get(indexes[ambiguous]!)!
            .map((id) => accessEvent(id, decisions.get(id)!, 'search', 'Patient')),
          conflict(
            `patients[${ambiguous}]: its MRN is held by more than one record, awaiting review by medical records; import it once they are merged`,
            { index: ambiguous },
          ),
        );
      // Read after the lock: the newest committed state of each record.
      const records = new Map(
        (existing.length ? await em.find(PatientRecord, { id: { $in: existing } }) : []).map(
          (r) => [r.id, r],
        ),
      );

      const plan: { entry: ImportEntry; record: PatientRecord; outcome: ImportOutcome }[] = [];
      for (const [i, entry] of entries.entries()) {
        const id = matches.get(indexes[i]!)?.[0];
        const record = id ? records.get(id) : undefined;
        if (!id || !record) {
          const created = await newPatientRecord(ctx, em, randomUUID(), entry.data);
          em.persist(created);
          plan.push({ entry, record: created, outcome: 'CREATED' });
        } else if (samePatientData(await decodePatient(em, cipher, record), entry.data)) {
          plan.push({ entry, record, outcome: 'UNCHANGED' });
        } else {
          em.assign(record, await encodePatient(em, cipher, indexKey, id, entry.data));
          plan.push({ entry, record, outcome: 'UPDATED' });
        }
      }
      await em.flush(); // inserts, and updates bumping each version with a compare on the old one
      const written = plan.filter((p) => p.outcome !== 'UNCHANGED');
      for (const p of written)
        em.persist(await versionRow(ctx, em, p.record.id, p.record.version, p.entry.data));
      await em.flush();

      // The events and every entry's audit in one statement.
      const batch = new StatementBatch();
      for (const p of plan) {
        if (p.outcome === 'CREATED') publishPatientRegisteredIn(batch, p.record.id, ctx.now);
        if (p.outcome !== 'UNCHANGED')
          publishProfileChangedIn(batch, p.record.id, p.record.version, p.entry.data, ctx.now);
      }
      batch.add(
        auditPart(
          auditEntriesFor(
            ctx,
            plan.map(({ record: { id }, outcome }) =>
              outcome === 'CREATED'
                ? decisionEvent(registration(ctx), {
                    patientId: id,
                    resourceType: 'Patient',
                    resourceId: id,
                    action: 'create',
                  })
                : accessEvent(
                    id,
                    decisions.get(id)!,
                    outcome === 'UPDATED' ? 'update' : 'read',
                    'Patient',
                  ),
            ),
          ),
        ),
      );
      await batch.run(em);
      return plan.map(({ entry, record, outcome }) => ({
        sourceKey: entry.sourceKey,
        id: record.id,
        outcome,
        version: record.version,
      }));
    });
  } catch (err) {
    if (err instanceof Refused) {
      await recordAccess(ctx, err.events);
      throw err.error;
    }
    if (err instanceof OptimisticLockError)
      throw conflict('A record changed during the import; send the batch again');
    throw mapDatabaseError(err) ?? err;
  }
}
