import fc from 'fast-check';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importReferenceData } from '../reference/import.js';
import { openBillingTestStore, testClerk, type BillingTestStore } from '../testing.js';
import { balance } from './ledger.js';
import { LedgerModel } from './ledger-model.js';
import { opArb } from './ledger-ops.js';

const clerk = testClerk('billing-clerk-prop');

let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_prop');
  // Claims need the payers and plans.
  await importReferenceData(store.orm.em.fork());
});
afterAll(async () => store.close());

/** Each patient's balance three ways: the store's SUM, the rows summed here, and the model. */
async function check(em: EntityManager, model: LedgerModel): Promise<number> {
  let count = 0;
  for (const [i, patientId] of model.patients.entries()) {
    const currency = model.currencies[i] ?? 'USD';
    const derived = await balance(em, patientId, currency);
    const rows = await em.execute<{ amount_minor: string; currency: string }[]>(
      'SELECT amount_minor::text AS amount_minor, currency FROM billing.ledger_entry WHERE account_patient_id = ?',
      [patientId],
    );
    for (const r of rows) {
      expect(r.amount_minor).toMatch(/^-?[1-9]\d*$/);
      expect(r.currency).toBe(currency);
    }
    const recomputed = rows.reduce((s, r) => s + BigInt(r.amount_minor), 0n);
    expect(typeof derived.amountMinor).toBe('bigint');
    expect(derived.amountMinor).toBe(recomputed);
    expect(derived.amountMinor).toBe(model.expected(i));
    count += rows.length;
  }
  expect(count).toBe(model.entries.size);
  return count;
}

describe('ledger (property)', () => {
  it('keeps every balance the integer sum of its entries through charges, payments, refunds, adjustments, claim outcomes and reversals; replays change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const model = new LedgerModel(ops, clerk, store.cipher);
        const em = store.orm.em.fork();
        const first = await em.transactional(async (tem) => {
          for (let i = 0; i < ops.length; i++) await model.run(tem, i);
          return check(tem, model);
        });
        const before = model.patients.map((_, i) => model.expected(i));
        // The same operations again, with the same keys and cause ids: nothing new.
        const second = await em.transactional(async (tem) => {
          for (let i = 0; i < ops.length; i++) await model.run(tem, i);
          return check(tem, model);
        });
        expect(second).toBe(first);
        expect(model.patients.map((_, i) => model.expected(i))).toEqual(before);
      }),
      { numRuns: 1000 },
    );
    // The sequences reached every path: claims of each outcome, refunds, adjustments, reversals.
    const [reached] = await store.orm.em.fork().execute<Record<string, string>[]>(
      `SELECT (SELECT count(*) FROM billing.claim WHERE outcome = 'paid')::text AS paid,
         (SELECT count(*) FROM billing.claim WHERE outcome = 'partially-paid')::text AS partly,
         (SELECT count(*) FROM billing.claim WHERE outcome = 'denied')::text AS denied,
         (SELECT count(*) FROM billing.refund)::text AS refunds,
         (SELECT count(*) FROM billing.adjustment)::text AS adjustments,
         (SELECT count(*) FROM billing.ledger_entry WHERE kind = 'reversal')::text AS reversals`,
    );
    for (const [path, count] of Object.entries(reached ?? {}))
      expect(Number(count), `${path}: ${JSON.stringify(reached)}`).toBeGreaterThan(15);
    // About 30 s alone; the margin is for a loaded two-core CI runner.
  }, 240_000);
});
