import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubgraphTestStore } from '../../../platform/testing/subgraph-test-store.js';
import { dispense } from './dispenses.js';
import { adjustStock, expireLots, receiveStock } from './stock-moves.js';
import { stockOf } from './stock-reads.js';
import { insertPrescription, openStockTestStore, refusal } from './stock-testing.js';

/**
 * Any sequence of receipts (lots of various expiries, some passing while the
 * sequence runs), dispenses, adjustments and expiry runs, on advancing days:
 * every lot's on_hand equals the sum of its ledger and is never negative,
 * the store's per-drug totals equal a plain model's, and each dispense draws
 * exactly what the model's first-expiry-first-out says: never an expired lot,
 * never a later-expiring lot while an earlier usable one has stock.
 */
let store: SubgraphTestStore;
beforeAll(async () => {
  store = await openStockTestStore('pharmacy_stock_prop');
});
afterAll(() => store?.close());

const DRUGS = ['700001', '700002'];
const LOTS = 4;
const START = Date.UTC(2027, 0, 1);

type Op =
  | { t: 'receive'; drug: number; lot: number; quantity: number }
  | { t: 'dispense'; drug: number; quantity: number }
  | { t: 'adjust'; drug: number; lot: number; delta: number; reason: string }
  | { t: 'expire' }
  | { t: 'advance'; days: number };

const drug = fc.integer({ min: 0, max: DRUGS.length - 1 });
const lot = fc.integer({ min: 0, max: LOTS - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('receive' as const),
      drug,
      lot,
      quantity: fc.integer({ min: 1, max: 20 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('dispense' as const),
      drug,
      quantity: fc.integer({ min: 1, max: 15 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('adjust' as const),
      drug,
      lot,
      delta: fc.integer({ min: -12, max: 12 }).filter((d) => d !== 0),
      reason: fc.constantFrom('waste', 'count-correction', 'damaged', 'return-to-supplier'),
    }),
  },
  fc.record({ t: fc.constant('expire' as const) }),
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      days: fc.integer({ min: 1, max: 6 }),
    }),
  },
);
/** Each (drug, lot)'s expiry, in days after the start: some pass while the sequence runs. */
const expiriesArb = fc.array(fc.integer({ min: 0, max: 45 }), {
  minLength: DRUGS.length * LOTS,
  maxLength: DRUGS.length * LOTS,
});

interface ModelLot {
  id: string;
  expiresOn: string;
  receivedAt: number;
  onHand: number;
}

const dayAt = (offset: number) => new Date(START + offset * 86_400_000).toISOString().slice(0, 10);

/** The model's own first-expiry-first-out, written apart from the domain's. */
function expectedDraw(lots: ModelLot[], quantity: number, day: string) {
  const usable = lots
    .filter((l) => l.onHand > 0 && l.expiresOn > day)
    .sort((a, b) =>
      a.expiresOn !== b.expiresOn
        ? a.expiresOn < b.expiresOn
          ? -1
          : 1
        : a.receivedAt !== b.receivedAt
          ? a.receivedAt - b.receivedAt
          : a.id < b.id
            ? -1
            : 1,
    );
  if (usable.reduce((s, l) => s + l.onHand, 0) < quantity) return undefined;
  const out: { lotId: string; quantity: number }[] = [];
  for (const l of usable) {
    if (quantity === 0) break;
    const take = Math.min(quantity, l.onHand);
    out.push({ lotId: l.id, quantity: take });
    quantity -= take;
  }
  return out;
}

async function run(expiries: number[], ops: Op[]) {
  const facilityId = `prop-${randomUUID().slice(0, 12)}`;
  const lots = new Map<string, ModelLot>(); // key `${drug}:${lot}`
  const tx = <T>(fn: (em: EntityManager) => Promise<T>) => store.orm.em.fork().transactional(fn);
  let offset = 0;
  const by = 'prop-pharmacist';
  for (const op of ops) {
    const at = new Date(START + offset * 86_400_000 + 36_000_000);
    const day = dayAt(offset);
    switch (op.t) {
      case 'advance':
        offset += op.days;
        break;
      case 'receive': {
        const key = `${op.drug}:${op.lot}`;
        const expiresOn = dayAt(expiries[op.drug * LOTS + op.lot]!);
        const p = tx((em) =>
          receiveStock(em, {
            facilityId,
            drugRxcui: DRUGS[op.drug]!,
            lotNumber: `L${op.lot}`,
            expiresOn,
            quantity: op.quantity,
            by,
            at,
          }),
        );
        if (expiresOn <= day) {
          expect(await refusal(p)).toBe('LOT_EXPIRED');
          break;
        }
        const r = await p;
        const m = lots.get(key) ?? { id: r.lot.id, expiresOn, receivedAt: at.getTime(), onHand: 0 };
        m.onHand += op.quantity;
        lots.set(key, m);
        expect(r.lot.onHand).toBe(m.onHand);
        break;
      }
      case 'adjust': {
        const m = lots.get(`${op.drug}:${op.lot}`);
        if (!m) break;
        const p = tx((em) =>
          adjustStock(em, { lotId: m.id, delta: op.delta, reason: op.reason, by, at }),
        );
        if (m.onHand + op.delta < 0) {
          expect(await refusal(p)).toBe('STOCK_BELOW_ZERO');
          break;
        }
        expect((await p).lot.onHand).toBe((m.onHand += op.delta));
        break;
      }
      case 'expire': {
        const r = await tx((em) => expireLots(em, { at, facilityId }));
        const expected = [...lots.values()].filter((l) => l.onHand > 0 && l.expiresOn <= day);
        expect(new Set(r.expired.map((e) => `${e.lotId}:${e.quantity}`))).toEqual(
          new Set(expected.map((l) => `${l.id}:${l.onHand}`)),
        );
        for (const l of expected) l.onHand = 0;
        break;
      }
      case 'dispense': {
        const drugLots = [...lots.entries()]
          .filter(([k]) => k.startsWith(`${op.drug}:`))
          .map(([, l]) => l);
        const expected = expectedDraw(drugLots, op.quantity, day);
        const rx = await insertPrescription(store.orm.em.fork(), {
          drugRxcui: DRUGS[op.drug]!,
          quantity: 100,
        });
        const p = tx((em) =>
          dispense(em, {
            dispenseId: randomUUID(),
            prescriptionId: rx,
            facilityId,
            quantity: op.quantity,
            by,
            at,
            unitPriceMinor: 10n,
            currency: 'USD',
          }),
        );
        if (!expected) {
          expect(await refusal(p)).toBe('INSUFFICIENT_STOCK');
          break;
        }
        const r = await p;
        expect(r.allocations.map((a) => ({ lotId: a.lotId, quantity: a.quantity }))).toEqual(
          expected,
        );
        // Stated directly too: nothing expired, nothing later while an earlier lot had stock.
        const latest = r.allocations.reduce((s, a) => (a.expiresOn > s ? a.expiresOn : s), '');
        for (const a of r.allocations) expect(a.expiresOn > day).toBe(true);
        for (const l of drugLots)
          if (l.onHand > 0 && l.expiresOn > day && l.expiresOn < latest)
            expect(r.allocations.find((a) => a.lotId === l.id)?.quantity).toBe(l.onHand);
        for (const a of expected) {
          const l = drugLots.find((x) => x.id === a.lotId)!;
          l.onHand -= a.quantity;
        }
        break;
      }
    }
  }
  await check(facilityId, lots, dayAt(offset));
}

async function check(facilityId: string, lots: Map<string, ModelLot>, day: string) {
  const em = store.orm.em.fork();
  const rows = await em.execute<{ id: string; on_hand: number; ledger: number }[]>(
    `SELECT l.id, l.on_hand, (SELECT coalesce(sum(delta), 0)::int FROM pharmacy.stock_ledger s
        WHERE s.lot_id = l.id) AS ledger
       FROM pharmacy.stock_lot l WHERE l.facility_id = ?`,
    [facilityId],
  );
  expect(rows).toHaveLength(lots.size);
  for (const r of rows) {
    expect(r.on_hand).toBe(r.ledger);
    expect(r.on_hand).toBeGreaterThanOrEqual(0);
    expect([...lots.values()].find((l) => l.id === r.id)?.onHand).toBe(r.on_hand);
  }
  const stock = await stockOf(em, facilityId, DRUGS, new Date(`${day}T10:00:00Z`));
  for (const [i, drugRxcui] of DRUGS.entries()) {
    const mine = [...lots.entries()].filter(([k]) => k.startsWith(`${i}:`)).map(([, l]) => l);
    const onHand = mine.reduce((s, l) => s + l.onHand, 0);
    const usable = mine.filter((l) => l.expiresOn > day).reduce((s, l) => s + l.onHand, 0);
    const s = stock.find((x) => x.drugRxcui === drugRxcui);
    expect({ onHand: s?.onHand ?? 0, usable: s?.usable ?? 0 }).toEqual({ onHand, usable });
  }
}

describe('stock (property)', () => {
  it('keeps every lot equal to its ledger, never negative, and dispenses first-expiry-first-out from unexpired lots only', async () => {
    await fc.assert(
      fc.asyncProperty(
        expiriesArb,
        fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }),
        run,
      ),
      { numRuns: 120 },
    );
    // The sequences reached every path: dispenses split across lots, refusals, expiry write-offs.
    const [reached] = await store.orm.em.fork().execute<Record<string, number>[]>(
      `SELECT (SELECT count(*) FROM (SELECT dispense_id FROM pharmacy.stock_ledger
                 WHERE kind = 'dispense' GROUP BY dispense_id HAVING count(*) > 1) x)::int AS split,
         (SELECT count(*) FROM pharmacy.stock_ledger WHERE kind = 'expiry')::int AS expiries,
         (SELECT count(*) FROM pharmacy.stock_ledger WHERE kind = 'adjustment')::int AS adjustments,
         (SELECT count(*) FROM pharmacy.dispense)::int AS dispenses`,
    );
    for (const [path, count] of Object.entries(reached ?? {}))
      expect(count, `${path}: ${JSON.stringify(reached)}`).toBeGreaterThan(10);
  }, 240_000);
});
