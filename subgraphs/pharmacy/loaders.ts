import DataLoader from 'dataloader';
import { recordAccess, type AccessEvent } from '../../platform/audit/request-audit.js';
import {
  collectPages,
  emptyPage,
  windowedPage,
  type Page,
  type WindowSpec,
} from '../../platform/federation/keyset.js';
import { decidePharmacy, pharmacyEvent, type PharmacyData } from './access.js';
import type { PharmacyContext } from './context.js';
import { drugsByRxcui, type DrugRow } from './store/catalogue-reads.js';
import { factsInForce, type ClinicalFact } from './store/clinical-facts.js';
import { dispensesOf, type DispenseRow } from './store/dispenses.js';
import {
  decryptPrescription,
  PRESCRIPTION_COLUMNS,
  recordOf,
  type Prescription,
  type PrescriptionRecord,
} from './store/prescriptions.js';

/** One patient's prescriptions: which page, and which statuses (null: all but entered-in-error). */
export interface PrescriptionListKey {
  patientId: string;
  statuses: readonly string[] | null;
  first: number;
  after: string | null;
}

/** A patient's medication list: prescriptions in force and outside medications. */
export interface MedicationList {
  prescriptions: Prescription[];
  outside: ClinicalFact[];
}

const spec = (statuses: readonly string[] | null): WindowSpec => ({
  kind: 'prescription',
  from: 'pharmacy.prescription p',
  owner: 'p.patient_id',
  at: 'p.authored_at',
  id: 'p.id',
  order: 'desc',
  select: PRESCRIPTION_COLUMNS,
  filters: [
    statuses
      ? {
          sql: 'p.status IN (SELECT json_array_elements_text(?::json))',
          params: [JSON.stringify(statuses)],
        }
      : { sql: "p.status <> 'entered-in-error'", params: [] },
  ],
});

/**
 * The records of patients' lists the caller may see: one list decision per
 * patient, then one per record whose security labels a consent may
 * withhold; every decision audited in one statement.
 */
async function visible<R extends { patientId: string; labels: readonly string[] }>(
  ctx: PharmacyContext,
  data: PharmacyData,
  patients: readonly string[],
  records: readonly R[],
  idOf: (r: R) => string,
): Promise<R[]> {
  const events: AccessEvent[] = [];
  const lists = await decidePharmacy(
    ctx,
    patients.map((patientId) => ({ patientId })),
    data,
    's',
  );
  const open = new Set(patients.filter((_, i) => lists[i]!.allowed));
  patients.forEach((p, i) =>
    events.push(pharmacyEvent({ patientId: p }, lists[i]!, data, 'search')),
  );
  const listed = records.filter((r) => open.has(r.patientId));
  const labelled = listed.filter((r) => r.labels.length > 0);
  const decisions = await decidePharmacy(ctx, labelled, data, 'r');
  const hidden = new Set<string>();
  labelled.forEach((r, i) => {
    if (decisions[i]!.allowed) return;
    hidden.add(idOf(r));
    events.push(pharmacyEvent(r, decisions[i]!, data, 'read', idOf(r)));
  });
  await recordAccess(ctx, events);
  return listed.filter((r) => !hidden.has(idOf(r)));
}

/** A prescription whose dispenses are asked for: whose, and its labels. */
export interface DispensesKey {
  prescriptionId: string;
  patientId: string;
  labels: readonly string[];
}

/** Every batch loader of a request. */
export function createLoaders(ctx: PharmacyContext) {
  const { cipher } = ctx.services;
  return {
    /** Catalogue drugs by RxCUI (no PHI). */
    drugs: new DataLoader<string, DrugRow | null>(async (rxcuis) => {
      const found = await drugsByRxcui(ctx.em, rxcuis);
      return rxcuis.map((r) => found.get(r) ?? null);
    }),

    /** `Patient.prescriptions`: one statement per distinct page for every patient of a response. */
    prescriptionPages: new DataLoader<PrescriptionListKey, Page<Prescription>, string>(
      async (keys) => {
        const groups = new Map<string, { sample: PrescriptionListKey; owners: string[] }>();
        const argsKey = (k: PrescriptionListKey) => JSON.stringify([k.statuses, k.first, k.after]);
        for (const k of keys) {
          const g = groups.get(argsKey(k)) ?? { sample: k, owners: [] };
          if (!g.owners.includes(k.patientId)) g.owners.push(k.patientId);
          groups.set(argsKey(k), g);
        }
        const pages = new Map<string, Map<string, Page<Prescription>> | Error>();
        for (const [key, { sample, owners }] of groups) {
          try {
            const s = spec(sample.statuses);
            const window = windowedPage(s, owners, sample.first, sample.after);
            const rowsBy = await ctx.withFacts<Record<string, unknown> & { sort_key: string }>(
              owners,
              {
                sql: `SELECT * FROM (${window.sql}) w WHERE w.rn <= ?`,
                params: [...window.params, window.limit],
                owner: 'patient_id',
                orderBy: ['rn'],
              },
            );
            const raw = owners.flatMap((o) => rowsBy.get(o) ?? []);
            const records = new Map<string, PrescriptionRecord>(
              raw.map((r) => [String(r.id), recordOf(r)]),
            );
            const allowed = new Set(
              (
                await visible(ctx, 'MedicationRequest', owners, [...records.values()], (r) => r.id)
              ).map((r) => r.id),
            );
            const rows = raw.filter((r) => allowed.has(String(r.id)));
            const decrypted = new Map(
              await Promise.all(
                rows.map(
                  async (r) =>
                    [
                      String(r.id),
                      await decryptPrescription(ctx.em, cipher, records.get(String(r.id))!),
                    ] as const,
                ),
              ),
            );
            const collected = collectPages(
              s,
              window,
              owners,
              rows,
              (r) => String(r.patient_id),
              (r) => String(r.id),
              (r) => decrypted.get(String(r.id))!,
            );
            for (const o of owners)
              if ((rowsBy.get(o)?.length ?? 0) > window.size) collected.get(o)!.hasNextPage = true;
            pages.set(key, collected);
          } catch (err) {
            pages.set(key, err as Error);
          }
        }
        return keys.map((k) => {
          const p = pages.get(argsKey(k));
          if (p instanceof Error) return p;
          return p?.get(k.patientId) ?? emptyPage<Prescription>();
        });
      },
      { cacheKeyFn: (k) => JSON.stringify([k.patientId, k.statuses, k.first, k.after]) },
    ),

    /** `Patient.medications`: prescriptions in force and outside medications, every patient at once. */
    medicationLists: new DataLoader<string, MedicationList>(async (patientIds) => {
      const rowsBy = await ctx.withFacts<Record<string, unknown>>(patientIds, {
        sql: `SELECT ${PRESCRIPTION_COLUMNS} FROM pharmacy.prescription p
              WHERE p.patient_id IN (SELECT json_array_elements_text(?::json)::uuid)
                AND p.status IN ('active', 'on-hold')`,
        params: [JSON.stringify(patientIds)],
        owner: 'patient_id',
      });
      const ours = patientIds.flatMap((p) => (rowsBy.get(p) ?? []).map(recordOf));
      const facts = (await factsInForce(ctx.em, cipher, patientIds)).filter(
        (f) => f.kind === 'medication',
      );
      const [prescriptions, outside] = await Promise.all([
        visible(ctx, 'MedicationRequest', patientIds, ours, (r) => r.id),
        visible(ctx, 'MedicationStatement', patientIds, facts, (f) => f.resourceId),
      ]);
      const open = await Promise.all(
        prescriptions.map((p) => decryptPrescription(ctx.em, cipher, p)),
      );
      return patientIds.map((id) => ({
        prescriptions: open.filter((p) => p.patientId === id),
        outside: outside.filter((f) => f.patientId === id),
      }));
    }),

    /** `Prescription.dispenses`: decided (MedicationDispense) and audited per prescription, one statement. */
    dispenses: new DataLoader<DispensesKey, DispenseRow[], string>(
      async (keys) => {
        const decisions = await decidePharmacy(ctx, keys, 'MedicationDispense', 's');
        await recordAccess(
          ctx,
          keys.map((k, i) =>
            pharmacyEvent(k, decisions[i]!, 'MedicationDispense', 'search', k.prescriptionId),
          ),
        );
        const allowed = keys.filter((_, i) => decisions[i]!.allowed).map((k) => k.prescriptionId);
        const rows = await dispensesOf(ctx.em, allowed);
        return keys.map((k) => rows.get(k.prescriptionId) ?? []);
      },
      { cacheKeyFn: (k) => k.prescriptionId },
    ),
  };
}

export type PharmacyLoaders = ReturnType<typeof createLoaders>;
