import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCoverageOf, DEMO_COVERAGE_START, SEED_BY, seedBilling } from './seed.js';
import { coveragesByPatient, memberIdOf } from './store/coverage.js';
import { openBillingTestStore, type BillingTestStore } from './testing.js';

let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_seed');
});
afterAll(async () => store.close());

const em = () => store.orm.em.fork();

describe('seedBilling', () => {
  it('gives each patient one primary coverage, once, with the member id encrypted', async () => {
    const patientIds = [randomUUID(), randomUUID(), randomUUID()];
    const first = await seedBilling(em(), store.cipher, { patientIds });
    expect(first.coverages).toBe(3);
    expect(first.reference).toMatchObject({ payers: 9, plans: 19, codes: 6664, rejected: [] });

    const again = await seedBilling(em(), store.cipher, {
      patientIds: [...patientIds, patientIds[0]!],
    });
    expect(again.coverages).toBe(0);
    expect(again.reference.changed).toEqual({ payers: 0, plans: 0, codes: 0 });

    const rows = await coveragesByPatient(em(), patientIds);
    expect(rows.map((r) => r.patientId).sort()).toEqual([...patientIds].sort());
    const plans = await em()
      .getConnection()
      .execute<{ id: string; payer_id: string }[]>('SELECT id, payer_id FROM billing.plan');
    const planIds = plans.map((p) => p.id);
    const payerOf = new Map(plans.map((p) => [p.id, p.payer_id]));
    for (const row of rows) {
      const expected = demoCoverageOf(row.patientId, planIds);
      expect(row).toMatchObject({
        planId: expected.planId,
        payerId: payerOf.get(expected.planId),
        relationship: 'self',
        periodStart: DEMO_COVERAGE_START,
        periodEnd: null,
        priority: 1,
        status: 'active',
      });
      expect(row.memberIdCipher).not.toContain(expected.memberId);
      expect(await memberIdOf(em(), store.cipher, row)).toBe(expected.memberId);
    }
    const atRest = await em()
      .getConnection()
      .execute<{ member_id: string; created_by: string }[]>(
        'SELECT member_id, created_by FROM billing.coverage',
      );
    expect(atRest).toHaveLength(3);
    for (const r of atRest) {
      expect(r.member_id).not.toMatch(/M\d{9}/);
      expect(r.created_by).toBe(SEED_BY);
    }
  });

  it('derives the plan and member id from the patient id alone', () => {
    const plans = Array.from({ length: 19 }, (_, i) => String(10001 + i));
    const id = '129c6ac7-8d06-89de-ad63-0204a93e76c3';
    const a = demoCoverageOf(id, plans);
    expect(demoCoverageOf(id, [...plans].reverse())).toEqual(a);
    expect(a.memberId).toMatch(/^M\d{9}$/);
    expect(plans).toContain(a.planId);
    // Spread over the plans, not all on one.
    const chosen = new Set(
      Array.from({ length: 50 }, () => demoCoverageOf(randomUUID(), plans).planId),
    );
    expect(chosen.size).toBeGreaterThan(5);
  });
});
