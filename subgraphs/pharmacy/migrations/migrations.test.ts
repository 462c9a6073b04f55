import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubgraphTestStore } from '../../../platform/testing/subgraph-test-store.js';
import { openPharmacyTestStore } from '../testing.js';

let store: SubgraphTestStore;
beforeAll(async () => {
  store = await openPharmacyTestStore('pharmacy_migrations');
});
afterAll(async () => store.close());

describe('pharmacy migrations', () => {
  it('create the schema’s tables, and a prescription version refuses to change', async () => {
    const em = store.orm.em.fork();
    const tables = await em.execute<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'pharmacy' ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['prescription', 'prescription_version', 'clinical_fact']),
    );
    const id = '00000000-0000-4000-8000-000000000001';
    await em.execute(
      `INSERT INTO pharmacy.prescription (id, patient_id, drug_rxcui, status, version, quantity, refills,
         valid_until, authored_at, detail, updated_at, updated_by)
       VALUES (?, ?, '314076', 'active', 1, 30, 0, now() + interval '1 year', now(), 'cf1.1.x', now(), 't')`,
      [id, id],
    );
    await em.execute(
      `INSERT INTO pharmacy.prescription_version (id, version, status, quantity, refills, valid_until,
         detail, changed_at, changed_by)
       VALUES (?, 1, 'active', 30, 0, now(), 'cf1.1.x', now(), 't')`,
      [id],
    );
    await expect(
      em.execute(`UPDATE pharmacy.prescription_version SET status = 'stopped' WHERE id = ?`, [id]),
    ).rejects.toThrow(/immutable/);
    await expect(
      em.execute(`DELETE FROM pharmacy.prescription_version WHERE id = ?`, [id]),
    ).rejects.toThrow(/immutable/);
  });
});
