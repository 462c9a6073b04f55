import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { money, parseMoney, type Money } from '../domain/money.js';
import { openBillingTestStore, type BillingTestStore } from '../testing.js';
import { adjustBalance, type AdjustBalance } from './adjustments.js';
import { balance } from './ledger.js';

const by = 'billing-clerk-1';

let store: BillingTestStore;
beforeAll(async () => {
  store = await openBillingTestStore('billing_adjustments');
  await em().execute(
    `INSERT INTO billing.payer (id, name, ownership) VALUES ('1', 'Test payer', 'private')`,
  );
  await em()
    .execute(`INSERT INTO billing.plan (id, payer_id, name, deductible_minor, coinsurance_bp,
    copay_minor, currency) VALUES ('10', '1', 'Test plan', 0, 2000, 0, 'USD')`);
});
afterAll(async () => store.close());

const em = () => store.orm.em.fork();
const usd = (decimal: string) => parseMoney(decimal, 'USD');
const bad = (field: string) => ({ extensions: { code: 'BAD_USER_INPUT', field } });

/** A draft claim of `patientId` (rows written directly: claims are another store's concern). */
async function claimOf(patientId: string): Promise<string> {
  const coverageId = randomUUID();
  const claimId = randomUUID();
  await em().execute(
    `INSERT INTO billing.coverage (id, patient_id, payer_id, plan_id, member_id, relationship,
       period_start, priority, status, created_by)
     VALUES (?, ?, '1', '10', 'ciphertext', 'self', '2026-01-01', 1, 'active', ?)`,
    [coverageId, patientId, by],
  );
  await em().execute(
    `INSERT INTO billing.claim_record (id, patient_id, coverage_id, payer_id, appointment_id,
       total_minor, currency, created_by) VALUES (?, ?, ?, '1', ?, 20000, 'USD', ?)`,
    [claimId, patientId, coverageId, randomUUID(), by],
  );
  await em().execute(
    `INSERT INTO billing.claim_state (claim_id, version, status, changed_by) VALUES (?, 1, 'draft', ?)`,
    [claimId, by],
  );
  return claimId;
}

const adjust = (
  patientId: string,
  kind: AdjustBalance['kind'],
  amount: Money,
  idempotencyKey: string,
  extra: Partial<AdjustBalance> = {},
) =>
  adjustBalance(em(), {
    patientId,
    kind,
    amount,
    reason: 'Goodwill',
    idempotencyKey,
    by,
    ...extra,
  });

async function entryOf(id: string) {
  const [row] = await em().execute<
    { kind: string; amount: string; cause_type: string; cause_id: string }[]
  >(
    `SELECT kind, amount_minor::text AS amount, cause_type, cause_id FROM billing.ledger_entry WHERE id = ?`,
    [id],
  );
  return row;
}

describe('adjustments', () => {
  it('posts a write-off as a credit caused by the user, once per key', async () => {
    const p = randomUUID();
    const first = await adjust(p, 'write-off', usd('15.00'), `wo-${p}`);
    expect(first.replayed).toBe(false);
    expect(first.adjustment).toMatchObject({
      patientId: p,
      kind: 'write-off',
      amount: money(-1500n, 'USD'),
      reason: 'Goodwill',
      claimId: null,
      createdBy: by,
    });
    expect(await entryOf(first.adjustment.ledgerEntryId)).toEqual({
      kind: 'adjustment-writeoff',
      amount: '-1500',
      cause_type: 'user',
      cause_id: by,
    });
    expect(first.adjustment.createdAt).toBeInstanceOf(Date);
    const again = await adjust(p, 'write-off', usd('15.00'), `wo-${p}`);
    expect(again).toEqual({ adjustment: first.adjustment, replayed: true });
    await expect(adjust(p, 'write-off', usd('15.01'), `wo-${p}`)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    await expect(adjust(p, 'correction', usd('15.00'), `wo-${p}`)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(-1500n);
  });

  it('posts signed corrections, and ties an adjustment to a claim of the patient', async () => {
    const p = randomUUID();
    const claimId = await claimOf(p);
    const up = await adjust(p, 'correction', usd('7.25'), `cor-${p}-1`);
    const down = await adjust(p, 'correction', usd('-2.00'), `cor-${p}-2`, { claimId });
    const wo = await adjust(p, 'write-off', usd('40.00'), `cor-${p}-3`, { claimId });
    expect(up.adjustment.amount).toEqual(money(725n, 'USD'));
    expect(down.adjustment).toMatchObject({ amount: money(-200n, 'USD'), claimId });
    expect(await entryOf(down.adjustment.ledgerEntryId)).toEqual({
      kind: 'adjustment-correction',
      amount: '-200',
      cause_type: 'claim',
      cause_id: claimId,
    });
    expect(await entryOf(wo.adjustment.ledgerEntryId)).toMatchObject({
      kind: 'adjustment-writeoff',
      cause_type: 'claim',
    });
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(725n - 200n - 4000n);
  });

  it('refuses bad input without posting anything', async () => {
    const p = randomUUID();
    const other = randomUUID();
    const othersClaim = await claimOf(other);
    const ownClaim = await claimOf(p);
    const key = `adj-bad-${p}`;
    await expect(adjust(p, 'write-off', usd('0'), key)).rejects.toMatchObject(bad('amount'));
    await expect(adjust(p, 'write-off', usd('-5.00'), key)).rejects.toMatchObject(bad('amount'));
    await expect(adjust(p, 'correction', usd('0.00'), key)).rejects.toMatchObject(bad('amount'));
    await expect(
      adjust(p, 'correction', { amountMinor: 5n, currency: 'XXX' } as unknown as Money, key),
    ).rejects.toMatchObject(bad('amount'));
    await expect(
      adjust(p, 'write-off', parseMoney('5.00', 'EUR'), key, { claimId: ownClaim }),
    ).rejects.toMatchObject(bad('amount'));
    await expect(
      adjust(p, 'write-off', usd('5.00'), key, { claimId: othersClaim }),
    ).rejects.toMatchObject(bad('claimId'));
    await expect(
      adjust(p, 'write-off', usd('5.00'), key, { claimId: randomUUID() }),
    ).rejects.toMatchObject(bad('claimId'));
    await expect(
      adjust(p, 'write-off', usd('5.00'), key, { claimId: 'nope' }),
    ).rejects.toMatchObject(bad('claimId'));
    await expect(adjust(p, 'write-off', usd('5.00'), key, { reason: '' })).rejects.toMatchObject(
      bad('reason'),
    );
    await expect(
      adjust(p, 'write-off', usd('5.00'), key, { reason: 'r'.repeat(501) }),
    ).rejects.toMatchObject(bad('reason'));
    await expect(
      adjust(p, 'refund' as unknown as AdjustBalance['kind'], usd('5.00'), key),
    ).rejects.toMatchObject(bad('kind'));
    await expect(adjust('nobody', 'write-off', usd('5.00'), key)).rejects.toMatchObject(
      bad('patientId'),
    );
    const [rows] = await em().execute<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM billing.ledger_entry WHERE account_patient_id = ?`,
      [p],
    );
    expect(rows?.n).toBe(0);
    // The key was never used: a valid request under it goes through.
    expect((await adjust(p, 'write-off', usd('5.00'), key)).replayed).toBe(false);
  });

  it('keeps the exact balance under concurrent adjustments', async () => {
    const p = randomUUID();
    const amounts = Array.from({ length: 12 }, (_, i) => BigInt((i % 2 ? -1 : 1) * (101 + i * 13)));
    await Promise.all(
      amounts.map((a, i) => adjust(p, 'correction', money(a, 'USD'), `conc-adj-${p}-${i}`)),
    );
    expect((await balance(em(), p, 'USD')).amountMinor).toBe(amounts.reduce((s, a) => s + a, 0n));
  });
});
