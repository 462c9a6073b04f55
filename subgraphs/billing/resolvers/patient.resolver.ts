import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { PatientAccessDecision } from '../../../platform/authz/index.js';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import { billingEvent, decideBilling, type BillingData } from '../access.js';
import type { BillingContext } from '../context.js';
import { balancesOf } from '../store/balances.js';
import { paymentsOf } from '../store/payment-views.js';
import { statementCursor, statementsPage, type StatementRow } from '../store/statements.js';
import { toStatement } from './account.resolver.js';
import { toCoverage } from './billing.mapper.js';
import { Coverage, Patient, Payment, StatementConnection } from './billing.types.js';
import { MoneyAmount, moneyOut } from './money.type.js';

/**
 * A batch of patients' data of one kind: one decision round and one audit
 * INSERT for every patient in the response; a patient whose data the caller
 * may not see gets `denied` (the refusal is audited).
 */
async function decideBatch(
  ctx: BillingContext,
  patientIds: readonly string[],
  data: BillingData,
): Promise<PatientAccessDecision[]> {
  const decisions = await decideBilling(
    ctx,
    patientIds.map((patientId) => ({ patientId })),
    data,
    's',
  );
  await recordAccess(
    ctx,
    patientIds.map((patientId, i) => billingEvent({ patientId }, decisions[i]!, data, 'search')),
  );
  return decisions;
}

/** The per-request batch loaders of the Patient fields (attached lazily to the context). */
function patientLoaders(ctx: BillingContext) {
  return {
    coverages: new DataLoader<string, Coverage[] | null>(async (ids) => {
      const decisions = await decideBatch(ctx, ids, 'Coverage');
      const allowed = ids.filter((_, i) => decisions[i]!.allowed);
      const rows = await ctx.loaders.coveragesOfPatient.loadMany(allowed);
      const byPatient = new Map(allowed.map((id, i) => [id, rows[i]]));
      return ids.map((id) => {
        const list = byPatient.get(id);
        if (list instanceof Error) throw list;
        return list ? list.map(toCoverage) : null;
      });
    }),
    balance: new DataLoader<string, MoneyAmount | null>(async (ids) => {
      const decisions = await decideBatch(ctx, ids, 'Account');
      const allowed = ids.filter((_, i) => decisions[i]!.allowed);
      const balances = await balancesOf(ctx.em, allowed, ctx.services.policy.currency);
      return ids.map((id) => {
        const b = balances.get(id);
        return b ? moneyOut(b) : null;
      });
    }),
    payments: new DataLoader<string, Payment[] | null>(async (ids) => {
      const decisions = await decideBatch(ctx, ids, 'Account');
      const allowed = ids.filter((_, i) => decisions[i]!.allowed);
      const payments = await paymentsOf(ctx.em, allowed);
      return ids.map((id, i) =>
        decisions[i]!.allowed
          ? (payments.get(id) ?? []).map((p) => ({
              id: p.id,
              amount: moneyOut(p.amount),
              refunded: moneyOut(p.refunded),
              createdAt: p.createdAt,
              replayed: false,
              patientId: p.patientId,
            }))
          : null,
      );
    }),
    statements: new DataLoader<
      { patientId: string; first: number; after: string | null },
      StatementConnection,
      string
    >(
      async (keys) => {
        const decisions = await decideBatch(
          ctx,
          keys.map((k) => k.patientId),
          'Account',
        );
        // One statement per distinct (first, after): aliases may ask for different pages.
        const groups = new Map<string, { first: number; after: string | null; ids: string[] }>();
        keys.forEach((k, i) => {
          if (!decisions[i]!.allowed) return;
          const g = JSON.stringify([k.first, k.after]);
          const group = groups.get(g) ?? { first: k.first, after: k.after, ids: [] };
          group.ids.push(k.patientId);
          groups.set(g, group);
        });
        const pages = new Map<
          string,
          Map<string, { rows: StatementRow[]; hasNextPage: boolean }>
        >();
        for (const [g, group] of groups)
          pages.set(g, await statementsPage(ctx.em, group.ids, group.first, group.after));
        return keys.map((k, i) => {
          const page = (decisions[i]!.allowed
            ? pages.get(JSON.stringify([k.first, k.after]))?.get(k.patientId)
            : undefined) ?? { rows: [], hasNextPage: false };
          const edges = page.rows.map((s) => ({
            cursor: statementCursor(s),
            node: toStatement(s),
          }));
          return {
            edges,
            pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
          };
        });
      },
      { cacheKeyFn: (k) => JSON.stringify([k.patientId, k.first, k.after]) },
    ),
  };
}

const attached = new WeakMap<BillingContext, ReturnType<typeof patientLoaders>>();
function loadersOf(ctx: BillingContext): ReturnType<typeof patientLoaders> {
  let l = attached.get(ctx);
  if (!l) {
    l = patientLoaders(ctx);
    attached.set(ctx, l);
  }
  return l;
}

/** The billing subgraph's fields on the patient entity. */
@Resolver(() => Patient)
export class PatientBillingResolver {
  @FieldResolver(() => [Coverage], {
    nullable: true,
    description:
      'The patient’s coverages in order of benefits (audited; null when the caller may not see them).',
  })
  async coverages(@Root() p: Patient, @Ctx() ctx: BillingContext): Promise<Coverage[] | null> {
    return loadersOf(ctx).coverages.load(requireUuid(p.id));
  }

  @FieldResolver(() => MoneyAmount, {
    nullable: true,
    description:
      'What the patient owes (negative: a credit): the sum of their ledger entries (audited; null when the caller may not see it).',
  })
  async balance(@Root() p: Patient, @Ctx() ctx: BillingContext): Promise<MoneyAmount | null> {
    return loadersOf(ctx).balance.load(requireUuid(p.id));
  }

  @FieldResolver(() => [Payment], {
    nullable: true,
    description: 'The patient’s payments, newest first (audited; null when not permitted).',
  })
  async payments(@Root() p: Patient, @Ctx() ctx: BillingContext): Promise<Payment[] | null> {
    return loadersOf(ctx).payments.load(requireUuid(p.id));
  }

  @FieldResolver(() => StatementConnection, {
    description:
      'The patient’s statements, newest first (audited; empty when the caller may not see them).',
  })
  async statements(
    @Root() p: Patient,
    @Ctx() ctx: BillingContext,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' })
    first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from pageInfo.endCursor.' })
    after?: string,
  ): Promise<StatementConnection> {
    return loadersOf(ctx).statements.load({
      patientId: requireUuid(p.id),
      first: pageSize(first),
      after: after ?? null,
    });
  }
}
