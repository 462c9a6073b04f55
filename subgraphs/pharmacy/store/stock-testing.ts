import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SubgraphTestStore } from '../../../platform/testing/subgraph-test-store.js';
import { openPharmacyTestStore } from '../testing.js';

/** Test support for stock and dispensing (not service code). */

/** The pharmacy schema with stock, in a fresh database; `events` installs the job queue and audit. */
export function openStockTestStore(label: string, events = false): Promise<SubgraphTestStore> {
  return openPharmacyTestStore(label, { events });
}

export interface TestPrescription {
  id?: string;
  patientId?: string;
  drugRxcui: string;
  status?: string;
  quantity?: number;
  refills?: number;
  validUntil?: Date;
}

/** Inserts a prescription row directly (its detail a placeholder ciphertext); returns its id. */
export async function insertPrescription(em: EntityManager, p: TestPrescription): Promise<string> {
  const id = p.id ?? randomUUID();
  await em.execute(
    `INSERT INTO pharmacy.prescription (id, patient_id, drug_rxcui, status, version, quantity,
       refills, valid_until, authored_at, detail, updated_at, updated_by)
     VALUES (?, ?, ?, ?, 1, ?, ?, ?, now(), 'cf1.1.test', now(), 'test')`,
    [
      id,
      p.patientId ?? randomUUID(),
      p.drugRxcui,
      p.status ?? 'active',
      p.quantity ?? 30,
      p.refills ?? 0,
      (p.validUntil ?? new Date('2099-01-01T00:00:00Z')).toISOString(),
    ],
  );
  return id;
}

/** Inserts many prescriptions of one drug in one statement; returns their ids. */
export async function insertPrescriptions(
  em: EntityManager,
  n: number,
  p: Omit<TestPrescription, 'id'>,
): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await em.execute(
    `INSERT INTO pharmacy.prescription (id, patient_id, drug_rxcui, status, version, quantity,
       refills, valid_until, authored_at, detail, updated_at, updated_by)
     SELECT id::uuid, gen_random_uuid(), ?, ?, 1, ?, ?, ?, now(), 'cf1.1.test', now(), 'test'
       FROM json_array_elements_text(?::json) AS t(id)`,
    [
      p.drugRxcui,
      p.status ?? 'active',
      p.quantity ?? 30,
      p.refills ?? 0,
      (p.validUntil ?? new Date('2099-01-01T00:00:00Z')).toISOString(),
      JSON.stringify(ids),
    ],
  );
  return ids;
}

/** A GraphQL error's `extensions.reason`, or its message for anything else (test support). */
export async function refusal(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'no refusal',
    (e: { extensions?: { code?: string; reason?: string }; message?: string }) =>
      e.extensions?.reason ?? e.extensions?.code ?? e.message,
  );
}
