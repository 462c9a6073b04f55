import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SCHEMA } from '../store/ledger.js';
import { readCsv } from './csv.js';
import {
  parseFee,
  parsePayer,
  parsePlan,
  parseRecords,
  REFERENCE_CURRENCY,
  type FeeRef,
  type ParsedFile,
  type PayerRef,
  type PlanRef,
  type RowProblem,
} from './parse.js';

/** `data/billing` at the repository root: the copies the product ships with. */
export const REFERENCE_DATA_DIR = fileURLToPath(new URL('../../../data/billing', import.meta.url));

/** Where each file lives under the reference directory. */
export const REFERENCE_FILES = {
  payers: path.join('payers', 'insurance_companies.csv'),
  plans: path.join('payers', 'insurance_plans.csv'),
  fees: 'hcpcs-level2-opps-2026-04.csv',
} as const;

/** What an import did. */
export interface ReferenceImport {
  /** Valid rows of each file, all present in the tables afterwards. */
  payers: number;
  plans: number;
  codes: number;
  /** Rows inserted or changed by this run (all zero when run again on the same files). */
  changed: { payers: number; plans: number; codes: number };
  /** Rows not imported, by file and line. */
  rejected: RowProblem[];
  /** Rows imported with a caveat (codes whose rate is finer than a cent, kept without a rate). */
  notes: RowProblem[];
}

/** Reads and validates the three files; nothing touches the database. */
export function readReferenceData(dir: string = REFERENCE_DATA_DIR): {
  payers: ParsedFile<PayerRef>;
  plans: ParsedFile<PlanRef>;
  fees: ParsedFile<FeeRef>;
} {
  const payers = parseRecords(
    readCsv(path.join(dir, REFERENCE_FILES.payers)),
    (v) => ({ row: parsePayer(v) }),
    (p) => p.id,
  );
  // A plan of a payer that is not (validly) in the payers file would break the foreign key.
  const payerIds = new Set(payers.rows.map((p) => p.id));
  const plans = parseRecords(
    readCsv(path.join(dir, REFERENCE_FILES.plans)),
    (v) => ({ row: parsePlan(v) }),
    (p) => p.id,
    (p) =>
      payerIds.has(p.payerId)
        ? undefined
        : `Payer Id ${p.payerId} is not a payer of ${path.basename(REFERENCE_FILES.payers)}`,
  );
  const fees = parseRecords(readCsv(path.join(dir, REFERENCE_FILES.fees)), parseFee, (f) => f.code);
  return { payers, plans, fees };
}

/**
 * Loads payers, plans and the HCPCS fee schedule from `dir` into billing's
 * tables: one upsert statement per table, in one transaction (a savepoint
 * inside the caller's). Idempotent: a row is written only when it is new or
 * differs, so a second run changes nothing. Rows that fail validation are
 * skipped and reported by file and line; the rest still load. Rows missing
 * from the files are kept (coverage and charges may point to them).
 */
export async function importReferenceData(
  em: EntityManager,
  dir: string = REFERENCE_DATA_DIR,
): Promise<ReferenceImport> {
  const { payers, plans, fees } = readReferenceData(dir);
  const cur = REFERENCE_CURRENCY;
  const changed = await em.transactional(async (tem) => {
    const p = await tem.execute<unknown[]>(
      `INSERT INTO ${SCHEMA}.payer (id, name, ownership)
       SELECT id, name, ownership FROM json_to_recordset(?::json) AS x(id text, name text, ownership text)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, ownership = EXCLUDED.ownership
       WHERE (payer.name, payer.ownership) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.ownership)
       RETURNING id`,
      [JSON.stringify(payers.rows)],
    );
    // Amounts travel as JSON strings of minor units and land in bigint exactly.
    const planRows = plans.rows.map((r) => ({
      id: r.id,
      payer_id: r.payerId,
      name: r.name,
      deductible_minor: r.deductible.amountMinor.toString(),
      coinsurance_bp: r.coinsuranceBp,
      copay_minor: r.copay.amountMinor.toString(),
      currency: cur,
    }));
    const pl = await tem.execute<unknown[]>(
      `INSERT INTO ${SCHEMA}.plan (id, payer_id, name, deductible_minor, coinsurance_bp, copay_minor, currency)
       SELECT id, payer_id, name, deductible_minor, coinsurance_bp, copay_minor, currency
       FROM json_to_recordset(?::json) AS x(id text, payer_id text, name text,
         deductible_minor bigint, coinsurance_bp integer, copay_minor bigint, currency text)
       ON CONFLICT (id) DO UPDATE SET payer_id = EXCLUDED.payer_id, name = EXCLUDED.name,
         deductible_minor = EXCLUDED.deductible_minor, coinsurance_bp = EXCLUDED.coinsurance_bp,
         copay_minor = EXCLUDED.copay_minor, currency = EXCLUDED.currency
       WHERE (plan.payer_id, plan.name, plan.deductible_minor, plan.coinsurance_bp, plan.copay_minor, plan.currency)
         IS DISTINCT FROM (EXCLUDED.payer_id, EXCLUDED.name, EXCLUDED.deductible_minor,
           EXCLUDED.coinsurance_bp, EXCLUDED.copay_minor, EXCLUDED.currency)
       RETURNING id`,
      [JSON.stringify(planRows)],
    );
    const feeRows = fees.rows.map((r) => ({
      code: r.code,
      description: r.description,
      status_indicator: r.statusIndicator,
      rate_minor: r.rate ? r.rate.amountMinor.toString() : null,
      currency: cur,
      source: r.source,
    }));
    const f = await tem.execute<unknown[]>(
      `INSERT INTO ${SCHEMA}.fee_schedule (code, description, status_indicator, rate_minor, currency, source)
       SELECT code, description, status_indicator, rate_minor, currency, source
       FROM json_to_recordset(?::json) AS x(code text, description text, status_indicator text,
         rate_minor bigint, currency text, source text)
       ON CONFLICT (code) DO UPDATE SET description = EXCLUDED.description,
         status_indicator = EXCLUDED.status_indicator, rate_minor = EXCLUDED.rate_minor,
         currency = EXCLUDED.currency, source = EXCLUDED.source
       WHERE (fee_schedule.description, fee_schedule.status_indicator, fee_schedule.rate_minor,
           fee_schedule.currency, fee_schedule.source)
         IS DISTINCT FROM (EXCLUDED.description, EXCLUDED.status_indicator, EXCLUDED.rate_minor,
           EXCLUDED.currency, EXCLUDED.source)
       RETURNING code`,
      [JSON.stringify(feeRows)],
    );
    return { payers: p.length, plans: pl.length, codes: f.length };
  });
  return {
    payers: payers.rows.length,
    plans: plans.rows.length,
    codes: fees.rows.length,
    changed,
    rejected: [...payers.rejected, ...plans.rejected, ...fees.rejected],
    notes: [...payers.notes, ...plans.notes, ...fees.notes],
  };
}
