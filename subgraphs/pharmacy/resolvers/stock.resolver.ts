import type { EntityManager } from '@mikro-orm/postgresql';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { runOnce } from '../../../platform/db/idempotency.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import type { PharmacyContext } from '../context.js';
import { openStockAlerts, resolveStockAlert, setReorderLevel } from '../store/stock-alerts.js';
import { adjustStock, expireLots, receiveStock, type StockMoved } from '../store/stock-moves.js';
import { ledgerOf, lotById, stockOf } from '../store/stock-reads.js';
import type { Lot } from '../store/stock-rows.js';
import { AdjustStockInput, ReceiveStockInput } from './dispense.inputs.js';
import {
  DrugStock,
  StockAlert,
  StockLedgerEntry,
  StockLot,
  StockMoveResult,
} from './stock.types.js';

const dayOf = (at: Date) => at.toISOString().slice(0, 10);
const toLot = (l: Lot, today: string): StockLot => ({
  id: l.id,
  lotNumber: l.lotNumber,
  expiresOn: l.expiresOn,
  onHand: l.onHand,
  expired: l.expiresOn <= today,
});

/**
 * Runs one stock movement once per the caller's idempotency key (`runOnce`,
 * in its own transaction) and answers the lot and the alerts it raised; a
 * replay answers the lot as it stands now, with no alerts.
 */
async function moveOnce(
  ctx: PharmacyContext,
  operation: string,
  input: { idempotencyKey: string },
  move: (em: EntityManager) => Promise<StockMoved>,
): Promise<StockMoveResult> {
  let done: StockMoved | undefined;
  const { id } = await runOnce(
    ctx.em,
    'pharmacy',
    {
      by: ctx.principal.sub,
      key: input.idempotencyKey,
      operation,
      request: { ...input, idempotencyKey: undefined },
    },
    async (em) => {
      done = await move(em);
      return done.lot.id;
    },
  );
  const today = dayOf(ctx.now);
  if (done) return { lot: toLot(done.lot, today), alerts: done.alerts };
  const lot = await lotById(ctx.em, id);
  if (!lot) throw new Error('a replayed stock movement names no lot');
  return { lot: toLot(lot, today), alerts: [] };
}

/** A facility key's stock per drug (or the drugs named), in the GraphQL shape. */
export async function stockAt(
  ctx: PharmacyContext,
  facilityId: string,
  drugRxcuis: string[] | null,
): Promise<DrugStock[]> {
  const today = dayOf(ctx.now);
  return (await stockOf(ctx.em, facilityId, drugRxcuis ?? undefined, ctx.now)).map((d) => ({
    facilityId,
    drugRxcui: d.drugRxcui,
    onHand: d.onHand,
    usable: d.usable,
    reorderLevel: d.reorderLevel,
    lots: d.lots.map((l) => toLot(l, today)),
  }));
}

/**
 * Stock per facility and lot, on an append-only ledger: pharmacists (and
 * admins) receive, adjust and read it. No patient data: stock is not audited
 * as PHI access; every movement names who made it in the ledger.
 */
@Resolver()
export class StockResolver {
  @Query(() => [DrugStock], {
    description:
      'A facility’s stock per drug (or the drugs named), lots in the order they are drawn.',
  })
  async stock(
    @Arg('facilityId', () => ID) facilityId: string,
    @Arg('drugRxcuis', () => [ID], { nullable: true }) drugRxcuis: string[] | null,
    @Ctx() ctx: PharmacyContext,
  ): Promise<DrugStock[]> {
    return stockAt(ctx, facilityId, drugRxcuis);
  }

  @Query(() => [StockAlert], { description: 'A facility’s open stock alerts, oldest first.' })
  stockAlerts(
    @Arg('facilityId', () => ID) facilityId: string,
    @Ctx() ctx: PharmacyContext,
  ): Promise<StockAlert[]> {
    return openStockAlerts(ctx.em, facilityId);
  }

  @Query(() => [StockLedgerEntry], { description: 'A lot’s ledger, oldest first.' })
  async stockLedger(
    @Arg('lotId', () => ID) lotId: string,
    @Ctx() ctx: PharmacyContext,
  ): Promise<StockLedgerEntry[]> {
    return (await ledgerOf(ctx.em, requireUuid(lotId, 'lotId'))).map((r) => ({
      id: r.id,
      kind: r.kind,
      delta: r.delta,
      reason: r.reason,
      at: r.at,
      by: r.by,
    }));
  }

  @Mutation(() => StockMoveResult, {
    description:
      'Receives a lot at a facility (a new lot, or more of one with the same expiry); refuses an expired lot. Once per idempotency key.',
  })
  async receiveStock(
    @Arg('input', () => ReceiveStockInput) input: ReceiveStockInput,
    @Ctx() ctx: PharmacyContext,
  ): Promise<StockMoveResult> {
    return moveOnce(ctx, 'receiveStock', input, (em) =>
      receiveStock(em, {
        facilityId: input.facilityId,
        drugRxcui: input.drugRxcui,
        lotNumber: input.lotNumber,
        expiresOn: input.expiresOn,
        quantity: input.quantity,
        by: ctx.principal.sub,
        at: ctx.now,
        nearExpiryDays: ctx.services.nearExpiryDays,
      }),
    );
  }

  @Mutation(() => StockMoveResult, {
    description:
      'Adjusts a lot (waste, expiry, count correction, damage, return) with a reason; never below zero (CONFLICT STOCK_BELOW_ZERO). Once per idempotency key.',
  })
  async adjustStock(
    @Arg('input', () => AdjustStockInput) input: AdjustStockInput,
    @Ctx() ctx: PharmacyContext,
  ): Promise<StockMoveResult> {
    return moveOnce(ctx, 'adjustStock', input, (em) =>
      adjustStock(em, {
        lotId: input.lotId,
        delta: input.delta,
        reason: input.reason,
        note: input.note ?? null,
        by: ctx.principal.sub,
        at: ctx.now,
        nearExpiryDays: ctx.services.nearExpiryDays,
      }),
    );
  }

  @Mutation(() => [StockAlert], {
    description: 'Sets the low-stock level of a drug at a facility; answers the alerts it raised.',
  })
  setReorderLevel(
    @Arg('facilityId', () => ID) facilityId: string,
    @Arg('drugRxcui', () => ID) drugRxcui: string,
    @Arg('reorderLevel', () => Int) reorderLevel: number,
    @Ctx() ctx: PharmacyContext,
  ): Promise<StockAlert[]> {
    return ctx.em.transactional((em) =>
      setReorderLevel(em, {
        facilityId,
        drugRxcui,
        reorderLevel,
        by: ctx.principal.sub,
        at: ctx.now,
      }),
    );
  }

  @Mutation(() => Boolean, { description: 'Closes an open stock alert; false when none is open.' })
  resolveStockAlert(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: PharmacyContext,
  ): Promise<boolean> {
    return resolveStockAlert(ctx.em, { alertId: requireUuid(id, 'id'), at: ctx.now });
  }

  @Mutation(() => [StockAlert], {
    description:
      'Runs the expiry check now at a facility (it also runs daily): writes off expired lots, raises near-expiry alerts.',
  })
  async runExpiryCheck(
    @Arg('facilityId', () => ID) facilityId: string,
    @Ctx() ctx: PharmacyContext,
  ): Promise<StockAlert[]> {
    const run = await ctx.em.transactional((em) =>
      expireLots(em, {
        at: ctx.now,
        facilityId,
        nearExpiryDays: ctx.services.nearExpiryDays,
        by: ctx.principal.sub,
      }),
    );
    return run.alerts;
  }
}
