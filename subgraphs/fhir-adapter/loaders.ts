import DataLoader from 'dataloader';
import { recordAccess, type AccessEvent } from '../../platform/audit/request-audit.js';
import {
  collectPages,
  emptyPage,
  windowedPage,
  type Page,
  type WindowSpec,
} from '../../platform/federation/keyset.js';
import { clinicalEvent, decideClinical } from './access.js';
import type { FhirContext } from './context.js';
import type { ClinicalType } from './domain/clinical-kinds.js';
import {
  clinicalConditions,
  decryptRecord,
  recordOf,
  RESOURCE_COLUMNS,
  type ClinicalFilterArgs,
  type ClinicalRow,
  type ResourceRecord,
} from './store/resource-rows.js';

/** One patient's list of one kind (one or more types), filtered and paged. */
export interface ClinicalListKey {
  patientId: string;
  kind: string;
  types: readonly ClinicalType[];
  filter: ClinicalFilterArgs | null;
  first: number;
  after: string | null;
}

const spec = (kind: string): WindowSpec => ({
  kind: `fhir-${kind}`,
  from: 'resource r',
  owner: 'r.patient_id',
  at: 'r.sort_at',
  id: 'r.id',
  order: 'desc',
  select: RESOURCE_COLUMNS,
});

/**
 * Decides every record of a batch (their patients' facts already primed),
 * audits in one statement (one entry per patient list read, one per
 * record withheld), and returns the allowed records decrypted.
 */
async function allowedRows(
  ctx: FhirContext,
  types: readonly ClinicalType[],
  records: readonly ResourceRecord[],
  listed: readonly string[],
): Promise<Set<string>> {
  const events: AccessEvent[] = [];
  const open = new Set<string>();
  for (const type of types) {
    const lists = await decideClinical(
      ctx,
      listed.map((patientId) => ({ patientId })),
      type,
      's',
    );
    listed.forEach((p, i) => {
      if (lists[i]!.allowed) open.add(`${type}|${p}`);
      events.push(clinicalEvent({ patientId: p }, lists[i]!, type, 'search'));
    });
  }
  const visible = records.filter((r) => open.has(`${r.type}|${r.patientId}`));
  const labelled = visible.filter((r) => r.labels.length > 0);
  const hidden = new Set<string>();
  for (const type of types) {
    const ofType = labelled.filter((r) => r.type === type);
    const decisions = await decideClinical(ctx, ofType, type, 'r');
    ofType.forEach((r, i) => {
      if (decisions[i]!.allowed) return;
      hidden.add(r.id);
      events.push(clinicalEvent(r, decisions[i]!, type, 'read', r.id));
    });
  }
  await recordAccess(ctx, events);
  return new Set(visible.filter((r) => !hidden.has(r.id)).map((r) => r.id));
}

/**
 * `Patient.<clinical list>` for many patients at once: per distinct (type,
 * filter, page) one statement reads every patient's window with their
 * access facts, then one decision round and one audit INSERT before any
 * body is decrypted. A list the caller may not read is empty (its refusal
 * audited); a record whose security labels the patient's consent withholds
 * is left out of the page (audited as a refused read).
 */
export function createClinicalListLoader(ctx: FhirContext) {
  return new DataLoader<ClinicalListKey, Page<ClinicalRow>, string>(
    async (keys) => {
      const argsKey = (k: ClinicalListKey) => JSON.stringify([k.kind, k.filter, k.first, k.after]);
      const groups = new Map<string, { sample: ClinicalListKey; owners: string[] }>();
      for (const k of keys) {
        const g = groups.get(argsKey(k)) ?? { sample: k, owners: [] };
        if (!g.owners.includes(k.patientId)) g.owners.push(k.patientId);
        groups.set(argsKey(k), g);
      }
      const pages = new Map<string, Map<string, Page<ClinicalRow>> | Error>();
      await Promise.all(
        [...groups].map(async ([key, { sample, owners }]) => {
          try {
            const s = {
              ...spec(sample.kind),
              filters: clinicalConditions(ctx.services.indexKey, sample.types, sample.filter),
            };
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
            const records = new Map(
              raw.map((r) => [String(r.id), recordOf(ctx.services.indexKey, r)]),
            );
            const allowed = await allowedRows(ctx, sample.types, [...records.values()], owners);
            const rows = raw.filter((r) => allowed.has(String(r.id)));
            const decrypted = new Map(
              await Promise.all(
                rows.map(async (r) => {
                  const rec = records.get(String(r.id))!;
                  return [rec.id, await decryptRecord(ctx.em, ctx.services.cipher, rec)] as const;
                }),
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
            // The window's extra row tells of a next page even when the labels withhold it.
            for (const o of owners)
              if ((rowsBy.get(o)?.length ?? 0) > window.size) collected.get(o)!.hasNextPage = true;
            pages.set(key, collected);
          } catch (err) {
            pages.set(key, err as Error);
          }
        }),
      );
      return keys.map((k) => {
        const p = pages.get(argsKey(k));
        if (p instanceof Error) return p;
        return p?.get(k.patientId) ?? emptyPage<ClinicalRow>();
      });
    },
    { cacheKeyFn: (k) => JSON.stringify([k.patientId, k.kind, k.filter, k.first, k.after]) },
  );
}
