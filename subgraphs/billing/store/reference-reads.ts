import type { EntityManager } from '@mikro-orm/postgresql';
import { money } from '../domain/money.js';
import type { FeeRef, PayerRef, PlanRef } from '../reference/parse.js';
import { SCHEMA } from './ledger.js';

/** Reference rows as read back: the shapes the importer writes (reference/parse.ts). */
export type PayerRow = PayerRef;
export type PlanRow = PlanRef;
export type FeeRow = Omit<FeeRef, 'source'>;

const ids = (list: readonly string[]) => JSON.stringify(list);
const IN_IDS = 'IN (SELECT json_array_elements_text(?::json))';

export async function payersByIds(em: EntityManager, list: readonly string[]): Promise<PayerRow[]> {
  return em.execute<PayerRow[]>(
    `SELECT id, name, ownership FROM ${SCHEMA}.payer WHERE id ${IN_IDS}`,
    [ids(list)],
  );
}

/** Every payer, by name. */
export async function allPayers(em: EntityManager): Promise<PayerRow[]> {
  return em.execute<PayerRow[]>(`SELECT id, name, ownership FROM ${SCHEMA}.payer ORDER BY name`);
}

interface PlanDbRow {
  id: string;
  payer_id: string;
  name: string;
  deductible_minor: string;
  coinsurance_bp: number;
  copay_minor: string;
  currency: string;
}

const planColumns = `id, payer_id, name, deductible_minor::text AS deductible_minor, coinsurance_bp,
  copay_minor::text AS copay_minor, currency`;

const toPlan = (r: PlanDbRow): PlanRow => ({
  id: r.id,
  payerId: r.payer_id,
  name: r.name,
  deductible: money(r.deductible_minor, r.currency),
  coinsuranceBp: r.coinsurance_bp,
  copay: money(r.copay_minor, r.currency),
});

export async function plansByIds(em: EntityManager, list: readonly string[]): Promise<PlanRow[]> {
  const rows = await em.execute<PlanDbRow[]>(
    `SELECT ${planColumns} FROM ${SCHEMA}.plan WHERE id ${IN_IDS}`,
    [ids(list)],
  );
  return rows.map(toPlan);
}

/** Plans, of one payer or all, by name. */
export async function listPlans(em: EntityManager, payerId?: string): Promise<PlanRow[]> {
  const rows = await em.execute<PlanDbRow[]>(
    `SELECT ${planColumns} FROM ${SCHEMA}.plan WHERE (?::text IS NULL OR payer_id = ?) ORDER BY name, id`,
    [payerId ?? null, payerId ?? null],
  );
  return rows.map(toPlan);
}

/** Fee schedule lines for these codes. */
export async function feesByCodes(em: EntityManager, codes: readonly string[]): Promise<FeeRow[]> {
  const rows = await em.execute<
    {
      code: string;
      description: string;
      status_indicator: string;
      rate_minor: string | null;
      currency: string;
    }[]
  >(
    `SELECT code, description, status_indicator, rate_minor::text AS rate_minor, currency
       FROM ${SCHEMA}.fee_schedule WHERE code ${IN_IDS} ORDER BY code`,
    [ids(codes)],
  );
  return rows.map((r) => ({
    code: r.code,
    description: r.description,
    statusIndicator: r.status_indicator,
    rate: r.rate_minor === null ? null : money(r.rate_minor, r.currency),
  }));
}
