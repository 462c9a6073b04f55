import type { EntityManager } from '@mikro-orm/postgresql';
import { money, type Money } from '../domain/money.js';
import { SCHEMA } from './ledger.js';

/** The balances of many accounts in one currency, summed by PostgreSQL in one statement (0 when no entry). */
export async function balancesOf(
  em: EntityManager,
  patientIds: readonly string[],
  currency: string,
): Promise<Map<string, Money>> {
  const rows = await em.execute<{ patient_id: string; total: string }[]>(
    `SELECT account_patient_id AS patient_id, SUM(amount_minor)::text AS total
       FROM ${SCHEMA}.ledger_entry
      WHERE currency = ? AND account_patient_id IN (SELECT json_array_elements_text(?::json)::uuid)
      GROUP BY account_patient_id`,
    [currency, JSON.stringify(patientIds)],
  );
  const byId = new Map(rows.map((r) => [r.patient_id, money(r.total, currency)]));
  return new Map(patientIds.map((id) => [id, byId.get(id) ?? money(0n, currency)]));
}
