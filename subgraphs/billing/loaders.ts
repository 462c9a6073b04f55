import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { groupBy } from '../../platform/data/group-by.js';
import { coveragesById, coveragesByPatient, type CoverageRow } from './store/coverage.js';
import { claimCharges, claimsByIds, type ClaimRow } from './store/claims.js';
import type { ChargeRow } from './store/charges.js';
import { payersByIds, plansByIds, type PayerRow, type PlanRow } from './store/reference-reads.js';
import {
  pageKeyOf,
  pagesByKey,
  type Page,
  type PageKey,
} from '../../platform/federation/keyset.js';
import { statementLinesPage, type StatementLine } from './store/statements.js';

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
