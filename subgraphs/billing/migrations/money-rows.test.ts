import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSubgraphStore } from '../../../platform/federation/subgraph-store.js';
import { entities } from '../entities/index.js';
import { openBillingTestStore, type BillingTestStore } from '../testing.js';
import { migrations } from './index.js';

/**
 * Upgrading a billing schema with claims and payments in it (issue 11 #18):
 * each claim keeps its state as its first `claim_state` row, the `claim`
 * view answers as the table did, and old payments are `unrecorded`.
 */
let store: BillingTestStore;
const kek = randomBytes(32);
beforeAll(async () => {
  // Every migration before this one, whatever came after it.
  const upTo = migrations.findIndex((m) => m.name === 'Migration20261204200000MoneyRows');
  store = await openBillingTestStore('billing_money_rows', {
    migrations: migrations.slice(0, upTo),
    kek,
  });
});
afterAll(() => store?.close());

describe('Migration20261204200000MoneyRows', () => {
  it('#18 keeps every claim at its state and version, and marks old payments unrecorded', async () => {
    const em = store.orm.em.fork();
    const [claimId, coverageId, patientId, paymentId, entryId] = [1, 2, 3, 4, 5].map(() =>
      randomUUID(),
    );
    await em.transactional(async (tem) => {
      await tem.execute(
        `INSERT INTO billing.payer (id, name, ownership) VALUES ('1', 'P', 'Private')`,
      );
      await tem.execute(
        `INSERT INTO billing.plan (id, payer_id, name, deductible_minor, coinsurance_bp, copay_minor,
           currency) VALUES ('10', '1', 'Plan', 0, 0, 0, 'USD')`,
      );
      await tem.execute(
        `INSERT INTO billing.coverage (id, patient_id, payer_id, plan_id, member_id, relationship,
           period_start, priority, status, created_by)
         VALUES (?, ?, '1', '10', 'ciphertext', 'self', '2026-01-01', 1, 'active', 'clerk')`,
        [coverageId, patientId],
      );
      await tem.execute(
        `INSERT INTO billing.claim (id, patient_id, coverage_id, payer_id, appointment_id, status,
           outcome, total_minor, allowed_minor, paid_minor, currency, submitted_at, adjudicated_at,
           version, created_by)
         VALUES (?, ?, ?, '1', ?, 'partially-paid', 'partially-paid', 20000, 15000, 9000, 'USD',
           now(), now(), 3, 'clerk')`,
        [claimId, patientId, coverageId, randomUUID()],
      );
      await tem.execute(
        `INSERT INTO billing.ledger_entry (id, account_patient_id, amount_minor, currency, kind,
           cause_type, cause_id, created_by) VALUES (?, ?, -500, 'USD', 'payment', 'payment', ?, 'clerk')`,
        [entryId, patientId, paymentId],
      );
      await tem.execute(
        `INSERT INTO billing.payment (id, patient_id, source, amount_minor, currency,
           idempotency_key, ledger_entry_id, created_by)
         VALUES (?, ?, 'patient', 500, 'USD', 'old-key-0001', ?, 'clerk')`,
        [paymentId, patientId, entryId],
      );
    });
    const upgraded = await openSubgraphStore({
      url: store.roleUrl,
      schema: 'billing',
      entities,
      migrations,
      kek,
    });
    try {
      const e = upgraded.orm.em.fork();
      expect(
        await e.execute(
          `SELECT status, outcome, version, allowed_minor::text AS allowed, paid_minor::text AS paid,
             submitted_at IS NOT NULL AS submitted FROM billing.claim WHERE id = ?`,
          [claimId],
        ),
      ).toEqual([
        {
          status: 'partially-paid',
          outcome: 'partially-paid',
          version: 3,
          allowed: '15000',
          paid: '9000',
          submitted: true,
        },
      ]);
      expect(
        await e.execute('SELECT method, intent_id FROM billing.payment WHERE id = ?', [paymentId]),
      ).toEqual([{ method: 'unrecorded', intent_id: null }]);
      await expect(
        e.execute('UPDATE billing.payment SET amount_minor = 1 WHERE id = ?', [paymentId]),
      ).rejects.toThrow(/immutable/);
    } finally {
      await upgraded.orm.close();
    }
  });
});
