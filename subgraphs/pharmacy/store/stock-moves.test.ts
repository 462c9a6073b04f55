import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubgraphTestStore } from '../../../platform/testing/subgraph-test-store.js';
import { openStockAlerts, resolveStockAlert, setReorderLevel } from './stock-alerts.js';
import { adjustStock, expireLots, receiveStock, STOCK_SYSTEM } from './stock-moves.js';
import { ledgerOf, stockOf } from './stock-reads.js';
import { openStockTestStore, refusal } from './stock-testing.js';

let store: SubgraphTestStore;
beforeAll(async () => {
  store = await openStockTestStore('pharmacy_stock_moves');
});
afterAll(() => store?.close());

const tx = <T>(fn: (em: EntityManager) => Promise<T>): Promise<T> =>
  store.orm.em.fork().transactional(fn);
const em = () => store.orm.em.fork();
let n = 0;
/** A fresh facility per test, so tests never share stock. */
const facility = () => `loc-${++n}-${randomUUID().slice(0, 8)}`;
const DRUG = '197361';
const at = (day: string) => new Date(`${day}T10:00:00Z`);
const by = 'pharmacist-1';

const receive = (
  facilityId: string,
  lotNumber: string,
  expiresOn: string,
  quantity: number,
  day = '2026-12-01',
) =>
  tx((t) =>
    receiveStock(t, {
      facilityId,
      drugRxcui: DRUG,
      lotNumber,
      expiresOn,
      quantity,
      by,
      at: at(day),
    }),
  );
const outbox = async (type: string) =>
  em().execute<{ id: string; payload: Record<string, unknown> }[]>(
    'SELECT id, payload FROM pharmacy.outbox WHERE type = ? ORDER BY occurred_at, id',
    [type],
  );

describe('receiveStock', () => {
  it('creates a lot on its first receipt and tops it up after, one ledger row each', async () => {
    const f = facility();
    const a = await receive(f, 'LOT-A', '2027-06-30', 40);
    expect(a.lot).toMatchObject({
      facilityId: f,
      drugRxcui: DRUG,
      lotNumber: 'LOT-A',
      expiresOn: '2027-06-30',
      onHand: 40,
    });
    const b = await receive(f, 'LOT-A', '2027-06-30', 10, '2026-12-02');
    expect(b.lot).toMatchObject({ id: a.lot.id, onHand: 50 });
    expect((await ledgerOf(em(), a.lot.id)).map((r) => [r.kind, r.delta, r.by])).toEqual([
      ['receipt', 40, by],
      ['receipt', 10, by],
    ]);
  });

  it('refuses the same lot number with another expiry, and a lot already expired', async () => {
    const f = facility();
    await receive(f, 'LOT-B', '2027-06-30', 5);
    expect(await refusal(receive(f, 'LOT-B', '2027-07-31', 5))).toBe('LOT_EXPIRY_MISMATCH');
    expect(await refusal(receive(f, 'LOT-C', '2026-12-01', 5))).toBe('LOT_EXPIRED');
    expect(await refusal(receive(f, 'LOT-C', '2026-11-30', 5))).toBe('LOT_EXPIRED');
    expect(await refusal(receive(f, 'bad lot!', '2027-01-01', 5))).toBe('BAD_USER_INPUT');
    expect(await refusal(receive('not a location/1', 'L', '2027-01-01', 5))).toBe('BAD_USER_INPUT');
    expect(await refusal(receive(f, 'L', '2027-02-30', 5))).toBe('BAD_USER_INPUT');
    expect(await refusal(receive(f, 'L', '2027-01-01', 0))).toBe('BAD_USER_INPUT');
    const [s] = await stockOf(em(), f, [DRUG], at('2026-12-01'));
    expect(s?.onHand).toBe(5);
  });
});

describe('adjustStock', () => {
  it('moves a lot by a reasoned delta, never below zero', async () => {
    const f = facility();
    const { lot } = await receive(f, 'LOT-D', '2027-06-30', 10);
    const adjust = (delta: number, reason = 'waste', note?: string) =>
      tx((t) => adjustStock(t, { lotId: lot.id, delta, reason, note, by, at: at('2026-12-03') }));
    expect((await adjust(-3, 'damaged', 'box crushed in transit')).lot.onHand).toBe(7);
    expect((await adjust(2, 'count-correction')).lot.onHand).toBe(9);
    expect(await refusal(adjust(-10))).toBe('STOCK_BELOW_ZERO');
    expect(await refusal(adjust(-1, 'lost-it'))).toBe('BAD_USER_INPUT');
    expect(await refusal(adjust(0))).toBe('BAD_USER_INPUT');
    expect(await refusal(adjust(-1, 'waste', 'x'.repeat(201)))).toBe('BAD_USER_INPUT');
    expect(
      await refusal(
        tx((t) =>
          adjustStock(t, {
            lotId: randomUUID(),
            delta: 1,
            reason: 'waste',
            by,
            at: at('2026-12-03'),
          }),
        ),
      ),
    ).toBe('NOT_FOUND');
    expect((await adjust(-9, 'return-to-supplier')).lot.onHand).toBe(0);
    const ledger = await ledgerOf(em(), lot.id);
    expect(ledger.map((r) => [r.kind, r.delta, r.reason, r.note])).toEqual([
      ['receipt', 10, null, null],
      ['adjustment', -3, 'damaged', 'box crushed in transit'],
      ['adjustment', 2, 'count-correction', null],
      ['adjustment', -9, 'return-to-supplier', null],
    ]);
    expect(ledger.reduce((s, r) => s + r.delta, 0)).toBe(0);
  });

  it('keeps the ledger append-only and on_hand non-negative even for a direct write', async () => {
    const f = facility();
    const { lot } = await receive(f, 'LOT-E', '2027-06-30', 4);
    await expect(
      em().execute('UPDATE pharmacy.stock_ledger SET delta = 99 WHERE lot_id = ?', [lot.id]),
    ).rejects.toThrow(/immutable/);
    await expect(
      em().execute('DELETE FROM pharmacy.stock_ledger WHERE lot_id = ?', [lot.id]),
    ).rejects.toThrow(/immutable/);
    await expect(em().execute('TRUNCATE pharmacy.stock_ledger CASCADE')).rejects.toThrow(
      /immutable/,
    );
    await expect(
      em().execute('UPDATE pharmacy.stock_lot SET on_hand = -1 WHERE id = ?', [lot.id]),
    ).rejects.toThrow(/on_hand/);
  });
});

describe('expireLots', () => {
  it('writes off expired lots once, leaves the others, and raises expired and expiring alerts once', async () => {
    const f = facility();
    const old = await receive(f, 'OLD', '2026-12-10', 6);
    const soon = await receive(f, 'SOON', '2027-01-05', 4);
    const later = await receive(f, 'LATER', '2027-06-30', 8);
    const run = await tx((t) => expireLots(t, { at: at('2026-12-10'), facilityId: f }));
    expect(run.expired).toEqual([
      { lotId: old.lot.id, facilityId: f, drugRxcui: DRUG, quantity: 6 },
    ]);
    expect(run.alerts.map((a) => [a.kind, a.lotId, a.quantity]).sort()).toEqual(
      [
        ['expired', old.lot.id, 6],
        ['expiring', soon.lot.id, 4],
      ].sort(),
    );
    // The same day again: nothing to write off, no second alert.
    expect(await tx((t) => expireLots(t, { at: at('2026-12-10'), facilityId: f }))).toEqual({
      expired: [],
      alerts: [],
    });
    expect((await ledgerOf(em(), old.lot.id)).map((r) => [r.kind, r.delta, r.by])).toEqual([
      ['receipt', 6, by],
      ['expiry', -6, STOCK_SYSTEM],
    ]);
    const [s] = await stockOf(em(), f, [DRUG], at('2026-12-10'));
    expect(s).toMatchObject({ onHand: 12, usable: 12 });
    expect(s?.lots.map((l) => l.id)).toEqual([soon.lot.id, later.lot.id]);
    const expired = await outbox('pharmacy.lot-expired');
    expect(expired.filter((e) => e.payload.facilityId === f).map((e) => e.payload)).toEqual([
      expect.objectContaining({
        lotId: old.lot.id,
        lotNumber: 'OLD',
        expiresOn: '2026-12-10',
        quantity: 6,
      }),
    ]);
    // Once SOON is empty its expiring alert resolves.
    await tx((t) =>
      adjustStock(t, { lotId: soon.lot.id, delta: -4, reason: 'waste', by, at: at('2026-12-11') }),
    );
    expect((await openStockAlerts(em(), f)).map((a) => a.kind)).toEqual(['expired']);
    const [expiredAlert] = await openStockAlerts(em(), f);
    expect(
      await tx((t) => resolveStockAlert(t, { alertId: expiredAlert!.id, at: at('2026-12-12') })),
    ).toBe(true);
    expect(await openStockAlerts(em(), f)).toEqual([]);
  });

  it('flags expired stock in stockOf until the run writes it off', async () => {
    const f = facility();
    await receive(f, 'X1', '2026-12-05', 3);
    await receive(f, 'X2', '2027-12-05', 2);
    const [s] = await stockOf(em(), f, undefined, at('2026-12-06'));
    expect(s).toMatchObject({ onHand: 5, usable: 2 });
    expect(s?.lots.map((l) => [l.lotNumber, l.expired])).toEqual([
      ['X2', false],
      ['X1', true],
    ]);
  });
});

describe('alerts', () => {
  it('raises low stock once while open, clears it on restock, and publishes each raise', async () => {
    const f = facility();
    const { lot } = await receive(f, 'L1', '2027-06-30', 20);
    expect(
      await tx((t) =>
        setReorderLevel(t, {
          facilityId: f,
          drugRxcui: DRUG,
          reorderLevel: 10,
          by,
          at: at('2026-12-01'),
        }),
      ),
    ).toEqual([]);
    const take = (d: number, day = '2026-12-02') =>
      tx((t) => adjustStock(t, { lotId: lot.id, delta: -d, reason: 'waste', by, at: at(day) }));
    expect((await take(5)).alerts).toEqual([]);
    const low = await take(6);
    expect(low.alerts).toEqual([
      expect.objectContaining({
        kind: 'low-stock',
        facilityId: f,
        drugRxcui: DRUG,
        lotId: null,
        quantity: 9,
      }),
    ]);
    expect((await take(1)).alerts).toEqual([]);
    expect((await openStockAlerts(em(), f)).map((a) => a.id)).toEqual([low.alerts[0]!.id]);
    // Restocked above the level: resolved; low again later: a new alert.
    expect((await receive(f, 'L2', '2027-08-31', 5, '2026-12-03')).alerts).toEqual([]);
    expect(await openStockAlerts(em(), f)).toEqual([]);
    const again = await take(8, '2026-12-04');
    expect(again.alerts.map((a) => a.kind)).toEqual(['low-stock']);
    const events = (await outbox('pharmacy.stock-low')).filter((e) => e.payload.facilityId === f);
    expect(events.map((e) => [e.id, e.payload.quantity, e.payload.reorderLevel])).toEqual([
      [low.alerts[0]!.id, 9, 10],
      [again.alerts[0]!.id, 5, 10],
    ]);
    for (const e of events)
      expect(Object.keys(e.payload).sort()).toEqual([
        'alertId',
        'drugRxcui',
        'facilityId',
        'quantity',
        'raisedAt',
        'reorderLevel',
      ]);
  });

  it('raises a near-expiry alert once per lot, within the configured window', async () => {
    const f = facility();
    const first = await tx((t) =>
      receiveStock(t, {
        facilityId: f,
        drugRxcui: DRUG,
        lotNumber: 'NEAR',
        expiresOn: '2026-12-20',
        quantity: 3,
        by,
        at: at('2026-12-01'),
      }),
    );
    expect(first.alerts).toEqual([
      expect.objectContaining({ kind: 'expiring', lotId: first.lot.id, quantity: 3 }),
    ]);
    const second = await receive(f, 'NEAR', '2026-12-20', 2, '2026-12-02');
    expect(second.alerts).toEqual([]);
    // Outside a 7-day window: none.
    const far = await tx((t) =>
      receiveStock(t, {
        facilityId: f,
        drugRxcui: DRUG,
        lotNumber: 'FAR',
        expiresOn: '2026-12-20',
        quantity: 3,
        by,
        at: at('2026-12-01'),
        nearExpiryDays: 7,
      }),
    );
    expect(far.alerts).toEqual([]);
    const events = (await outbox('pharmacy.lot-expiring')).filter(
      (e) => e.payload.facilityId === f,
    );
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        alertId: first.alerts[0]!.id,
        lotNumber: 'NEAR',
        expiresOn: '2026-12-20',
        quantity: 3,
      }),
    ]);
  });
});
