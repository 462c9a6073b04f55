import { createHash } from 'node:crypto';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldCipher } from '../../platform/crypto/index.js';
import { readNdjson } from '../../platform/data/ndjson.js';
import {
  importReferenceData,
  REFERENCE_DATA_DIR,
  type ReferenceImport,
} from './reference/import.js';
import { coveragesByPatient, recordCoverage } from './store/coverage.js';
import { SCHEMA } from './store/ledger.js';

/** Who seeded rows are recorded as. */
export const SEED_BY = 'system:seed';

/** When the demo coverages begin (open-ended). */
export const DEMO_COVERAGE_START = '2026-01-01';

const digest = (purpose: string, patientId: string): Buffer =>
  createHash('sha256').update(`carefed:billing-seed:${purpose}:${patientId}`).digest();

/**
 * The demo coverage of a patient, derived from the patient id alone so every
 * seed of the same data gives the same result: a plan among `planIds` (taken
 * in sorted order) and a member id `M` + 9 digits.
 */
export function demoCoverageOf(
  patientId: string,
  planIds: readonly string[],
): { planId: string; memberId: string } {
  const plans = [...planIds].sort();
  if (!plans.length) throw new Error('No plans to choose a demo coverage from');
  const planId = plans[digest('plan', patientId).readUInt32BE(0) % plans.length] ?? '';
  const digits = (digest('member', patientId).readBigUInt64BE(0) % 1_000_000_000n).toString();
  return { planId, memberId: `M${digits.padStart(9, '0')}` };
}

export interface BillingSeedResult {
  reference: ReferenceImport;
  /** Coverages created by this run (patients that had one are skipped). */
  coverages: number;
}

/**
 * Loads billing's reference data (payers, plans, HCPCS fee schedule) and
 * gives each demo patient without a coverage one active primary coverage of
 * their own (relationship self, from 2026-01-01, no end), on a plan and
 * member id derived from the patient id; the member id is stored encrypted.
 * Idempotent, in one transaction; concurrent seeds take turns.
 */
export async function seedBilling(
  em: EntityManager,
  cipher: FieldCipher,
  opts: { patientIds: readonly string[]; dataDir?: string },
): Promise<BillingSeedResult> {
  return em.transactional(async (tem) => {
    await tem.execute(`SELECT pg_advisory_xact_lock(hashtext('carefed:billing-seed'))`);
    const reference = await importReferenceData(tem, opts.dataDir ?? REFERENCE_DATA_DIR);
    const planIds = (await tem.execute<{ id: string }[]>(`SELECT id FROM ${SCHEMA}.plan`)).map(
      (p) => p.id,
    );
    const patientIds = [...new Set(opts.patientIds.map((id) => id.toLowerCase()))];
    const covered = new Set((await coveragesByPatient(tem, patientIds)).map((c) => c.patientId));
    let coverages = 0;
    for (const patientId of patientIds) {
      if (covered.has(patientId)) continue;
      const { planId, memberId } = demoCoverageOf(patientId, planIds);
      await recordCoverage(tem, cipher, {
        patientId,
        planId,
        memberId,
        relationship: 'self',
        periodStart: DEMO_COVERAGE_START,
        periodEnd: null,
        priority: 1,
        by: SEED_BY,
      });
      coverages += 1;
    }
    return { reference, coverages };
  });
}

/** The ids of the demo data set's patients (its FHIR Patient export), whom billing gives a coverage. */
export function demoPatientIds(dataDir: string): string[] {
  return readNdjson<{ id: string }>(path.join(dataDir, 'Patient.000.ndjson')).map((p) => p.id);
}
