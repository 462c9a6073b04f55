import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubgraphTestStore } from '../../../platform/testing/subgraph-test-store.js';
import {
  dispense,
  dispenseOutcome,
  dispensesOf,
  publishDispensed,
  type DispenseInput,
} from './dispenses.js';
import { setReorderLevel } from './stock-alerts.js';
import { receiveStock } from './stock-moves.js';
import { ledgerOf, stockOf } from './stock-reads.js';
import {
  insertPrescription,
  insertPrescriptions,
  openStockTestStore,
  refusal,
} from './stock-testing.js';

let store: SubgraphTestStore;
beforeAll(async () => {
  // With the job queue: the dispense event is enqueued for billing.
  store = await openStockTestStore('pharmacy_dispenses', true);
});
afterAll(() => store?.close());

const em = () => store.orm.em.fork();
const tx = <T>(fn: (em: EntityManager) => Promise<T>): Promise<T> =>
  store.orm.em.fork().transactional(fn);
let n = 0;
const facility = () => `loc-${++n}-${randomUUID().slice(0, 8)}`;
const by = 'pharmacist-1';
const at = (day: string) => new Date(`${day}T10:00:00Z`);

async function stock(
  facilityId: string,
  drugRxcui: string,
  lots: [string, string, number][],
  day = '2026-12-01',
) {
  const ids: string[] = [];
  for (const [lotNumber, expiresOn, quantity] of lots)
    ids.push(
      (
        await tx((t) =>
          receiveStock(t, {
            facilityId,
            drugRxcui,
            lotNumber,
            expiresOn,
            quantity,
            by,
            at: at(day),
          }),
        )
      ).lot.id,
    );
  return ids;
}

const give = (
  prescriptionId: string,
  facilityId: string,
  quantity: number,
  day = '2026-12-02',
  over: Partial<DispenseInput> = {},
) =>
  tx((t) =>
    dispense(t, {
      dispenseId: randomUUID(),
      prescriptionId,
      facilityId,
      quantity,
      by,
      at: at(day),
      unitPriceMinor: 125n,
      currency: 'USD',
      ...over,
    }),
  );

describe('dispense', () => {
  it('draws lots first-expiry-first-out, never an expired one, and records the allocation', async () => {
    const f = facility();
    const [expiredSoon, early, late] = await stock(f, '111', [
      ['EXP', '2026-12-02', 100],
      ['EARLY', '2027-01-31', 4],
      ['LATE', '2027-06-30', 10],
    ]);
    const rx = await insertPrescription(em(), { drugRxcui: '111', quantity: 30, refills: 1 });
    const r = await give(rx, f, 6, '2026-12-02');
    expect(r.fillNumber).toBe(1);
    expect(r.fillsLeft).toBe(1);
    expect(r.allocations).toEqual([
      { lotId: early, lotNumber: 'EARLY', expiresOn: '2027-01-31', quantity: 4 },
      { lotId: late, lotNumber: 'LATE', expiresOn: '2027-06-30', quantity: 2 },
    ]);
    expect(r.dispense).toMatchObject({
      prescriptionId: rx,
      facilityId: f,
      drugRxcui: '111',
      quantity: 6,
      unitPriceMinor: 125n,
      currency: 'USD',
      fillNumber: 1,
    });
    expect((await ledgerOf(em(), expiredSoon!)).map((l) => l.kind)).toEqual(['receipt']);
    expect((await ledgerOf(em(), early!)).map((l) => [l.kind, l.delta, l.dispenseId])).toEqual([
      ['receipt', 4, null],
      ['dispense', -4, r.dispense.id],
    ]);
    // The day before EXP expires it is drawn first.
    const rx2 = await insertPrescription(em(), { drugRxcui: '111' });
    expect((await give(rx2, f, 1, '2026-12-01')).allocations.map((a) => a.lotNumber)).toEqual([
      'EXP',
    ]);
    const [s] = await stockOf(em(), f, ['111'], at('2026-12-02'));
    expect(s).toMatchObject({ onHand: 99 + 8, usable: 8 });
  });

  it('allows 1 + refills fills, then NO_FILLS_LEFT; a partial fill counts', async () => {
    const f = facility();
    await stock(f, '222', [['A', '2027-12-31', 1000]]);
    const rx = await insertPrescription(em(), { drugRxcui: '222', quantity: 30, refills: 2 });
    expect((await give(rx, f, 30)).fillsLeft).toBe(2);
    expect((await give(rx, f, 5)).fillsLeft).toBe(1);
    const third = await give(rx, f, 30);
    expect([third.fillNumber, third.fillsLeft]).toEqual([3, 0]);
    expect(await refusal(give(rx, f, 1))).toBe('NO_FILLS_LEFT');
    const fills = (await dispensesOf(em(), [rx])).get(rx)!;
    expect(fills.map((d) => [d.fillNumber, d.quantity])).toEqual([
      [1, 30],
      [2, 5],
      [3, 30],
    ]);
    expect(await dispenseOutcome(em(), third.dispense.id)).toMatchObject({
      fillNumber: 3,
      fillsLeft: 0,
      dispense: { id: third.dispense.id, allocations: third.allocations },
    });
  });

  it('refuses prescriptions not active or expired, too large a fill, too little stock, and changes nothing', async () => {
    const f = facility();
    const [lot] = await stock(f, '333', [['A', '2027-12-31', 5]]);
    for (const status of ['on-hold', 'completed', 'cancelled', 'stopped', 'entered-in-error']) {
      const rx = await insertPrescription(em(), { drugRxcui: '333', status });
      expect(await refusal(give(rx, f, 1))).toBe('PRESCRIPTION_NOT_ACTIVE');
    }
    const ending = await insertPrescription(em(), {
      drugRxcui: '333',
      validUntil: new Date('2026-12-02T10:00:00Z'),
    });
    expect(await refusal(give(ending, f, 1, '2026-12-02'))).toBe('PRESCRIPTION_EXPIRED');
    const rx = await insertPrescription(em(), { drugRxcui: '333', quantity: 4 });
    expect(await refusal(give(rx, f, 5))).toBe('QUANTITY_EXCEEDS_PRESCRIPTION');
    const big = await insertPrescription(em(), { drugRxcui: '333', quantity: 10 });
    expect(await refusal(give(big, f, 6))).toBe('INSUFFICIENT_STOCK');
    expect(await refusal(give(big, facility(), 1))).toBe('INSUFFICIENT_STOCK');
    expect(await refusal(give(randomUUID(), f, 1))).toBe('NOT_FOUND');
    expect(await refusal(give(big, f, 1, '2026-12-02', { unitPriceMinor: -1n }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await refusal(give(big, f, 1, '2026-12-02', { currency: 'usd' }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await refusal(give(big, f, 0))).toBe('BAD_USER_INPUT');
    // The messages name nothing of the patient or the prescription.
    const err = (await give(big, f, 6).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('Not enough unexpired stock of this drug here');
    expect((await ledgerOf(em(), lot!)).map((l) => l.kind)).toEqual(['receipt']);
    expect((await dispensesOf(em(), [big, rx])).get(big)).toEqual([]);
    // Once valid, the large prescription dispenses what there is.
    expect((await give(big, f, 5)).allocations).toHaveLength(1);
  });

  it('raises low stock once as dispenses draw it down', async () => {
    const f = facility();
    await stock(f, '444', [['A', '2027-12-31', 10]]);
    await tx((t) =>
      setReorderLevel(t, {
        facilityId: f,
        drugRxcui: '444',
        reorderLevel: 5,
        by,
        at: at('2026-12-01'),
      }),
    );
    const rxs = await insertPrescriptions(em(), 3, { drugRxcui: '444' });
    expect((await give(rxs[0]!, f, 5)).alerts).toEqual([]);
    expect((await give(rxs[1]!, f, 1)).alerts).toEqual([
      expect.objectContaining({ kind: 'low-stock', quantity: 4 }),
    ]);
    expect((await give(rxs[2]!, f, 1)).alerts).toEqual([]);
  });

  it('publishes pharmacy.dispensed once per dispense, for billing, with what was dispensed and nothing of why', async () => {
    const f = facility();
    await stock(f, '555', [['A', '2027-12-31', 10]]);
    const rx = await insertPrescription(em(), { drugRxcui: '555' });
    const r = await give(rx, f, 3);
    const publishTwice = () =>
      tx(async (t) => {
        await publishDispensed(t, r.dispense);
        return publishDispensed(t, r.dispense);
      });
    const envelope = await publishTwice();
    await publishTwice();
    expect(envelope).toMatchObject({
      id: r.dispense.id,
      type: 'pharmacy.dispensed',
      aggregateId: r.dispense.id,
    });
    expect(envelope.data).toEqual({
      dispenseId: r.dispense.id,
      prescriptionId: rx,
      patientId: r.dispense.patientId,
      facilityId: f,
      drugRxcui: '555',
      quantity: 3,
      unitPriceMinor: '125',
      currency: 'USD',
      dispensedAt: '2026-12-02T10:00:00.000Z',
    });
    const rows = await em().execute<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM pharmacy.outbox WHERE id = ?',
      [r.dispense.id],
    );
    expect(rows).toEqual([{ n: 1 }]);
    const admin = new pg.Client(store.adminUrl);
    await admin.connect();
    const { rows: jobs } = await admin
      .query<{ task_identifier: string }>(
        'SELECT task_identifier FROM graphile_worker.jobs WHERE key = $1',
        [`billing:dispenses:${r.dispense.id}`],
      )
      .finally(() => admin.end());
    expect(jobs).toEqual([{ task_identifier: 'billing:dispenses' }]);
  });
});

describe('dispense under concurrency', () => {
  it('200 concurrent dispenses racing for 50 units: exactly 50 succeed, stock never below zero', async () => {
    const f = facility();
    const lots = await stock(f, '666', [
      ['C1', '2027-03-31', 20],
      ['C2', '2027-01-31', 12],
      ['C3', '2027-06-30', 18],
    ]);
    const rxs = await insertPrescriptions(em(), 100, { drugRxcui: '666', refills: 1 });
    // Watch on_hand from outside while the race runs.
    let watching = true;
    let lowest = Infinity;
    const watch = (async () => {
      while (watching) {
        const [r] = await em().execute<{ lowest: number }[]>(
          'SELECT min(on_hand)::int AS lowest FROM pharmacy.stock_lot WHERE facility_id = ?',
          [f],
        );
        lowest = Math.min(lowest, r?.lowest ?? Infinity);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const dispenseId = randomUUID();
        return give(rxs[i % 100]!, f, 1, '2026-12-02', { dispenseId }).then(
          (r) => ({ ok: true as const, id: r.dispense.id, asked: dispenseId }),
          (e: { extensions?: { reason?: string } }) => ({
            ok: false as const,
            reason: e.extensions?.reason,
          }),
        );
      }),
    );
    watching = false;
    await watch;
    const ok = results.filter((r) => r.ok);
    const failed = results.filter((r) => !r.ok);
    expect(ok).toHaveLength(50);
    expect(failed).toHaveLength(150);
    expect(new Set(failed.map((r) => r.reason))).toEqual(new Set(['INSUFFICIENT_STOCK']));
    expect(lowest).toBeGreaterThanOrEqual(0);
    const [totals] = await em().execute<{ on_hand: number; ledger: number; dispenses: number }[]>(
      `SELECT (SELECT sum(on_hand)::int FROM pharmacy.stock_lot WHERE facility_id = ?) AS on_hand,
         (SELECT sum(s.delta)::int FROM pharmacy.stock_ledger s JOIN pharmacy.stock_lot l ON l.id = s.lot_id
           WHERE l.facility_id = ?) AS ledger,
         (SELECT count(*)::int FROM pharmacy.dispense WHERE facility_id = ?) AS dispenses`,
      [f, f, f],
    );
    expect(totals).toEqual({ on_hand: 0, ledger: 0, dispenses: 50 });
    const stored = [...(await dispensesOf(em(), rxs)).values()].flat();
    expect(new Set(stored.map((d) => d.id))).toEqual(new Set(ok.map((r) => (r.ok ? r.id : ''))));
    for (const r of ok) if (r.ok) expect(r.id).toBe(r.asked);
    for (const lotId of lots) {
      const ledger = await ledgerOf(em(), lotId);
      expect(ledger.reduce((s, l) => s + l.delta, 0)).toBe(0);
      expect(ledger[0]?.kind).toBe('receipt');
    }
    const seq = await em().execute<{ lot_number: string }[]>(
      `SELECT l.lot_number FROM pharmacy.stock_ledger s JOIN pharmacy.stock_lot l ON l.id = s.lot_id
        WHERE l.facility_id = ? AND s.kind = 'dispense' ORDER BY s.seq`,
      [f],
    );
    // First-expiry-first-out held across the race: C2 (January), then C1 (March), then C3 (June).
    expect(seq.map((r) => r.lot_number)).toEqual([
      ...Array(12).fill('C2'),
      ...Array(20).fill('C1'),
      ...Array(18).fill('C3'),
    ]);
  }, 60_000);
});
