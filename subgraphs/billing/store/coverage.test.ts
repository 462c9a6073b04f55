import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldIntegrityError } from '../../../platform/crypto/index.js';
import { openBillingTestStore, type BillingTestStore } from '../testing.js';
import {
  cancelCoverage,
  coveragesById,
  coveragesByPatient,
  memberIdOf,
  recordCoverage,
  type NewCoverage,
} from './coverage.js';

let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_coverage');
  await store.orm.em.fork().execute(
    `INSERT INTO billing.payer (id, name, ownership) VALUES ('60000', 'UnitedHealthcare', 'commercial');
     INSERT INTO billing.plan (id, payer_id, name, deductible_minor, coinsurance_bp, copay_minor, currency)
     VALUES ('60001', '60000', 'Choice Plus', 150000, 2000, 2500, 'USD')`,
  );
});
afterAll(async () => store.close());

const em = () => store.orm.em.fork();
const bad = (field: string) => ({ extensions: { code: 'BAD_USER_INPUT', field } });
const coverage = (patientId: string, over: Partial<NewCoverage> = {}): NewCoverage => ({
  patientId,
  planId: '60001',
  memberId: 'UHC-884412907',
  relationship: 'self',
  periodStart: '2026-01-01',
  periodEnd: '2026-12-31',
  priority: 1,
  by: 'billing-clerk-1',
  ...over,
});
const record = (c: NewCoverage) => recordCoverage(em(), store.cipher, c);

describe('coverage', () => {
  it('records a coverage with the plan’s payer and the member id encrypted', async () => {
    const p = randomUUID();
    const row = await record(coverage(p, { memberId: 'ZQX-778812345', periodEnd: null }));
    expect(row).toMatchObject({
      patientId: p,
      payerId: '60000',
      planId: '60001',
      relationship: 'self',
      periodStart: '2026-01-01',
      periodEnd: null,
      priority: 1,
      status: 'active',
      version: 1,
    });
    expect(row.memberIdCipher).toMatch(/^cf1\./);
    const [raw] = await em().execute<{ row: string }[]>(
      'SELECT c::text AS row FROM billing.coverage c WHERE id = ?',
      [row.id],
    );
    expect(raw?.row).toContain(row.id);
    expect(raw?.row).not.toContain('ZQX-778812345');
    expect(raw?.row).not.toContain('778812345');
    expect(await memberIdOf(em(), store.cipher, row)).toBe('ZQX-778812345');
    // The ciphertext is bound to its row: copied onto another coverage it does not decrypt.
    const other = await record(coverage(randomUUID()));
    await expect(
      memberIdOf(em(), store.cipher, { id: other.id, memberIdCipher: row.memberIdCipher }),
    ).rejects.toBeInstanceOf(FieldIntegrityError);
  });

  it('refuses an overlapping active coverage of the same priority with CONFLICT', async () => {
    const p = randomUUID();
    const first = await record(coverage(p));
    await expect(
      record(coverage(p, { periodStart: '2026-12-31', periodEnd: null })),
    ).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    await expect(
      record(coverage(p, { periodStart: '2025-06-01', periodEnd: '2026-01-01' })),
    ).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    // Another priority, or a period after this one, is fine.
    const secondary = await record(coverage(p, { priority: 2, planId: '60001' }));
    const next = await record(coverage(p, { periodStart: '2027-01-01', periodEnd: null }));
    // Once the first is cancelled its period is free again.
    await cancelCoverage(em(), first.id, 1, 'billing-clerk-1');
    const replacement = await record(coverage(p, { memberId: 'NEW-1' }));
    const rows = await coveragesByPatient(em(), [p]);
    expect(rows.map((r) => r.id)).toEqual(
      expect.arrayContaining([first.id, secondary.id, next.id, replacement.id]),
    );
    expect(rows.filter((r) => r.status === 'active')).toHaveLength(3);
  });

  it('refuses concurrent overlapping coverages: exactly one is recorded', async () => {
    const p = randomUUID();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => record(coverage(p, { memberId: `M-${i}` }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({ extensions: { code: 'CONFLICT' } });
    expect(await coveragesByPatient(em(), [p])).toHaveLength(1);
  });

  it('keeps the caller’s transaction usable after a CONFLICT', async () => {
    const p = randomUUID();
    await em().transactional(async (tem) => {
      await recordCoverage(tem, store.cipher, coverage(p));
      await expect(recordCoverage(tem, store.cipher, coverage(p))).rejects.toMatchObject({
        extensions: { code: 'CONFLICT' },
      });
      await recordCoverage(tem, store.cipher, coverage(p, { priority: 2 }));
    });
    expect((await coveragesByPatient(em(), [p])).map((r) => r.priority)).toEqual([1, 2]);
  });

  it('cancels at the expected version only', async () => {
    const p = randomUUID();
    const row = await record(coverage(p));
    await expect(cancelCoverage(em(), row.id, 2, 'billing-clerk-1')).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', currentVersion: 1 },
    });
    const cancelled = await cancelCoverage(em(), row.id, 1, 'billing-clerk-1');
    expect(cancelled).toMatchObject({ id: row.id, status: 'cancelled', version: 2 });
    await expect(cancelCoverage(em(), row.id, 1, 'billing-clerk-1')).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', currentVersion: 2 },
    });
    await expect(cancelCoverage(em(), row.id, 2, 'billing-clerk-1')).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', currentVersion: 2 },
    });
    await expect(cancelCoverage(em(), randomUUID(), 1, 'billing-clerk-1')).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    expect((await coveragesById(em(), [row.id]))[0]).toMatchObject({
      status: 'cancelled',
      version: 2,
    });
  });

  it('refuses an unknown plan and bad input without echoing the member id', async () => {
    const p = randomUUID();
    await expect(record(coverage(p, { planId: '99999' }))).rejects.toMatchObject(bad('planId'));
    await expect(record(coverage(p, { planId: 'plan-1' }))).rejects.toMatchObject(bad('planId'));
    for (const memberId of ['', 'A'.repeat(41), 'AB 12345', 'AB_12345', 'ÄB12345', "1'; DROP"]) {
      const err = await record(coverage(p, { memberId })).catch((e: unknown) => e);
      expect(err).toMatchObject(bad('memberId'));
      if (memberId) expect((err as Error).message).not.toContain(memberId);
    }
    await expect(record(coverage(p, { periodStart: '2026-02-30' }))).rejects.toMatchObject(
      bad('periodStart'),
    );
    await expect(
      record(coverage(p, { periodStart: '2026-05-01', periodEnd: '2026-04-30' })),
    ).rejects.toMatchObject(bad('periodEnd'));
    await expect(record(coverage(p, { priority: 0 }))).rejects.toMatchObject(bad('priority'));
    await expect(record(coverage(p, { priority: 1.5 }))).rejects.toMatchObject(bad('priority'));
    await expect(
      record(coverage(p, { relationship: 'cousin' as NewCoverage['relationship'] })),
    ).rejects.toMatchObject(bad('relationship'));
    await expect(record(coverage('not-a-uuid'))).rejects.toMatchObject(bad('patientId'));
    expect(await coveragesByPatient(em(), [p])).toEqual([]);
  });

  it('reads many patients’ coverages in one statement, by priority', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const a2 = await record(coverage(a, { priority: 2 }));
    const a1 = await record(coverage(a, { priority: 1 }));
    const b1 = await record(coverage(b));
    const rows = await coveragesByPatient(em(), [a, b]);
    expect(rows.filter((r) => r.patientId === a).map((r) => r.id)).toEqual([a1.id, a2.id]);
    expect(rows.filter((r) => r.patientId === b).map((r) => r.id)).toEqual([b1.id]);
    expect(await coveragesByPatient(em(), [])).toEqual([]);
    const byId = await coveragesById(em(), [b1.id, a2.id, randomUUID()]);
    expect(byId.map((r) => r.id).sort()).toEqual([b1.id, a2.id].sort());
    expect(byId.find((r) => r.id === a2.id)).toEqual(a2);
  });
});
