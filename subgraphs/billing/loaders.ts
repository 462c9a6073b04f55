import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { groupBy } from '../../platform/data/group-by.js';
import { ConsentProjection } from './entities/index.js';
import { coveragesById, coveragesByPatient, type CoverageRow } from './store/coverage.js';
import { claimCharges, claimsByIds, type ClaimRow } from './store/claims.js';
import { chargesByAppointment, type ChargeRow } from './store/charges.js';
import { payersByIds, plansByIds, type PayerRow, type PlanRow } from './store/reference-reads.js';
import { appointmentPatients } from './store/appointment-reads.js';
import { statementLines, type StatementLine } from './store/statements.js';

const byIdLoader = <T extends { id: string }>(load: (ids: string[]) => Promise<T[]>) =>
  new DataLoader<string, T | null>(async (ids) => {
    const rows = await load([...ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

/** Per-request batch loaders: one SQL statement per kind of fact, however long the lists. */
export function createLoaders(em: EntityManager) {
  return {
    consents: new DataLoader<string, ConsentProjection[]>(async (ids) =>
      groupBy(
        ids,
        await em.find(ConsentProjection, { patientId: { $in: [...ids] } }),
        (r) => r.patientId,
      ),
    ),
    coverage: byIdLoader<CoverageRow>((ids) => coveragesById(em, ids)),
    coveragesOfPatient: new DataLoader<string, CoverageRow[]>(async (ids) =>
      groupBy(ids, await coveragesByPatient(em, [...ids]), (r) => r.patientId),
    ),
    claim: byIdLoader<ClaimRow>((ids) => claimsByIds(em, ids)),
    chargesOfClaim: new DataLoader<string, ChargeRow[]>(async (ids) => {
      const map = await claimCharges(em, [...ids]);
      return ids.map((id) => map.get(id) ?? []);
    }),
    chargesOfAppointment: new DataLoader<string, ChargeRow[]>(async (ids) =>
      groupBy(ids, await chargesByAppointment(em, [...ids]), (r) => r.appointmentId),
    ),
    /** The patient of each appointment billing knows of (from scheduling's events). */
    appointmentPatient: new DataLoader<string, string | null>(async (ids) => {
      const byId = await appointmentPatients(em, [...ids]);
      return ids.map((id) => byId.get(id) ?? null);
    }),
    statementLines: new DataLoader<string, StatementLine[]>(async (ids) => {
      const map = await statementLines(em, [...ids]);
      return ids.map((id) => map.get(id) ?? []);
    }),
    payer: byIdLoader<PayerRow>((ids) => payersByIds(em, ids)),
    plan: byIdLoader<PlanRow>((ids) => plansByIds(em, ids)),
  };
}

export type BillingLoaders = ReturnType<typeof createLoaders>;
