import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { groupBy } from '../../platform/data/group-by.js';
import { coveragesById, coveragesByPatient, type CoverageRow } from './store/coverage.js';
import { claimCharges, claimsByIds, type ClaimRow } from './store/claims.js';
import type { ChargeRow } from './store/charges.js';
import { payersByIds, plansByIds, type PayerRow, type PlanRow } from './store/reference-reads.js';
import type { Page } from './store/keyset.js';
import { statementLinesPage, type StatementLine } from './store/statements.js';

/** A key of a paged list: whose list (`id`), and which page of it. */
export interface PageKey {
  id: string;
  first: number;
  after: string | null;
}

export const pageKeyOf = (k: PageKey): string => JSON.stringify([k.id, k.first, k.after]);

/**
 * The pages of a batch of keys, `load`ed once per distinct (first, after):
 * aliases may ask for different pages, and a list costs one SQL statement per
 * page asked for however many owners share it. A page that fails (a bad
 * cursor) fails only the keys that asked for it.
 */
export async function pagesByKey<T>(
  keys: readonly PageKey[],
  load: (ids: string[], first: number, after: string | null) => Promise<Map<string, Page<T>>>,
): Promise<(Page<T> | Error)[]> {
  const groups = new Map<string, { first: number; after: string | null; ids: string[] }>();
  for (const k of keys) {
    const g = JSON.stringify([k.first, k.after]);
    const group = groups.get(g) ?? { first: k.first, after: k.after, ids: [] };
    group.ids.push(k.id);
    groups.set(g, group);
  }
  const pages = new Map<string, Map<string, Page<T>> | Error>();
  for (const [g, group] of groups)
    pages.set(
      g,
      await load(group.ids, group.first, group.after).catch((err: unknown) =>
        err instanceof Error ? err : new Error(String(err)),
      ),
    );
  return keys.map((k) => {
    const page = pages.get(JSON.stringify([k.first, k.after]));
    if (page instanceof Error) return page;
    return page?.get(k.id) ?? { edges: [], hasNextPage: false };
  });
}

const byIdLoader = <T extends { id: string }>(load: (ids: string[]) => Promise<T[]>) =>
  new DataLoader<string, T | null>(async (ids) => {
    const rows = await load([...ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

/** Per-request batch loaders: one SQL statement per kind of fact, however long the lists. */
export function createLoaders(em: EntityManager) {
  return {
    coverage: byIdLoader<CoverageRow>((ids) => coveragesById(em, ids)),
    coveragesOfPatient: new DataLoader<string, CoverageRow[]>(async (ids) =>
      groupBy(ids, await coveragesByPatient(em, [...ids]), (r) => r.patientId),
    ),
    claim: byIdLoader<ClaimRow>((ids) => claimsByIds(em, ids)),
    chargesOfClaim: new DataLoader<string, ChargeRow[]>(async (ids) => {
      const map = await claimCharges(em, [...ids]);
      return ids.map((id) => map.get(id) ?? []);
    }),
    /** Keyed by statement id and page: one SQL statement per distinct page. */
    statementLines: new DataLoader<PageKey, Page<StatementLine>, string>(
      (keys) => pagesByKey(keys, (ids, first, after) => statementLinesPage(em, ids, first, after)),
      { cacheKeyFn: pageKeyOf },
    ),
    payer: byIdLoader<PayerRow>((ids) => payersByIds(em, ids)),
    plan: byIdLoader<PlanRow>((ids) => plansByIds(em, ids)),
  };
}

export type BillingLoaders = ReturnType<typeof createLoaders>;
