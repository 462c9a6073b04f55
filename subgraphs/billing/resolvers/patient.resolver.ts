import DataLoader from 'dataloader';
import { PageArgs } from '../../../platform/federation/connection.js';
import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import { perRequest } from '../../../platform/federation/per-request.js';
import { billingEvent, decideBilling, type BillingData } from '../access.js';
import type { BillingContext } from '../context.js';
import { balanceRows, balancesFrom, type BalanceRow } from '../store/ledger.js';
import {
  emptyPage,
  pageKeyOf,
  pagesByKey,
  toConnection,
  type Page,
  type PageKey,
} from '../../../platform/federation/keyset.js';
import { checkPaymentCursor, paymentsPage } from '../store/payment-views.js';
import { statementsPage, type StatementRow } from '../store/statements.js';
import { toStatement } from './account.resolver.js';
import { toCoverage, toPayment } from './billing.mapper.js';
import { Coverage, Patient, PaymentConnection, StatementConnection } from './billing.types.js';
import { MoneyAmount, moneyOut } from './money.type.js';

/**
 * The part of a batch the caller may see, for patients' data of one kind: one
 * decision round and one audit INSERT for every patient in the response; a
 * refused patient's key is left out (the refusal is audited).
 */
async function permitted<K>(
  ctx: BillingContext,
  keys: readonly K[],
  patientOf: (key: K) => string,
  data: BillingData,
): Promise<K[]> {
  const subjects = keys.map((k) => ({ patientId: patientOf(k) }));
  const decisions = await decideBilling(ctx, subjects, data, 's');
  await recordAccess(
    ctx,
    subjects.map((s, i) => billingEvent(s, decisions[i]!, data, 'search')),
  );
  return keys.filter((_, i) => decisions[i]!.allowed);
}

/** Pages of a paged Account list for the permitted keys; null for a refused one. */
async function permittedPages<T>(
  ctx: BillingContext,
  keys: readonly PageKey[],
  load: (ids: string[], first: number, after: string | null) => Promise<Map<string, Page<T>>>,
): Promise<(Page<T> | Error | null)[]> {
  const allowed = await permitted(ctx, keys, (k) => k.id, 'Account');
  const pages = await pagesByKey(allowed, load);
  const byKey = new Map(allowed.map((k, i) => [k, pages[i]!]));
  return keys.map((k) => byKey.get(k) ?? null);
}

/** The per-request batch loaders of the Patient fields (attached lazily to the context). */
function patientLoaders(ctx: BillingContext) {
  return {
    coverages: new DataLoader<string, Coverage[] | null>(async (ids) => {
      const allowed = await permitted(ctx, ids, (id) => id, 'Coverage');
      const rows = await ctx.loaders.coveragesOfPatient.loadMany(allowed);
      const byPatient = new Map(allowed.map((id, i) => [id, rows[i]]));
      return ids.map((id) => {
        const list = byPatient.get(id);
        if (list instanceof Error) throw list;
        return list ? list.map(toCoverage) : null;
      });
    }),
    balance: new DataLoader<string, MoneyAmount | null>(async (ids) => {
      // The sums and the access facts in one statement; decided and audited before any is used.
      const { currency } = ctx.services.policy;
      const sums = await ctx.withFacts<BalanceRow>(ids, {
        ...balanceRows(ids, currency),
        owner: 'patient_id',
      });
      const allowed = await permitted(ctx, ids, (id) => id, 'Account');
      const balances = balancesFrom(
        allowed,
        allowed.flatMap((id) => sums.get(id) ?? []),
        currency,
      );
      return ids.map((id) => {
        const b = balances.get(id);
        return b ? moneyOut(b) : null;
      });
    }),
    payments: new DataLoader<PageKey, PaymentConnection | null, string>(
      async (keys) =>
        (
          await permittedPages(ctx, keys, (ids, first, after) =>
            paymentsPage(ctx.em, ids, first, after),
          )
        ).map((page) =>
          page === null || page instanceof Error ? page : toConnection(page, (p) => toPayment(p)),
        ),
      { cacheKeyFn: pageKeyOf },
    ),
    statements: new DataLoader<PageKey, StatementConnection, string>(
      async (keys) =>
        (
          await permittedPages(ctx, keys, (ids, first, after) =>
            statementsPage(ctx.em, ids, first, after),
          )
        ).map((found) => {
          // A patient whose statements the caller may not see has none to show.
          const page = found ?? emptyPage<StatementRow>();
          return page instanceof Error ? page : toConnection(page, (s) => toStatement(s));
        }),
      { cacheKeyFn: pageKeyOf },
    ),
  };
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
    return perRequest(ctx, patientLoaders).coverages.load(requireUuid(p.id));
  }

  @FieldResolver(() => MoneyAmount, {
    nullable: true,
    description:
      'What the patient owes (negative: a credit): the sum of their ledger entries (audited; null when the caller may not see it).',
  })
  async balance(@Root() p: Patient, @Ctx() ctx: BillingContext): Promise<MoneyAmount | null> {
    return perRequest(ctx, patientLoaders).balance.load(requireUuid(p.id));
  }

  @FieldResolver(() => PaymentConnection, {
    nullable: true,
    description: 'The patient’s payments, newest first (audited; null when not permitted).',
  })
  async payments(
    @Root() p: Patient,
    @Ctx() ctx: BillingContext,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<PaymentConnection | null> {
    const size = pageSize(first);
    checkPaymentCursor(after);
    return perRequest(ctx, patientLoaders).payments.load({
      id: requireUuid(p.id),
      first: size,
      after: after ?? null,
    });
  }

  @FieldResolver(() => StatementConnection, {
    description:
      'The patient’s statements, newest first (audited; empty when the caller may not see them).',
  })
  async statements(
    @Root() p: Patient,
    @Ctx() ctx: BillingContext,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<StatementConnection> {
    return perRequest(ctx, patientLoaders).statements.load({
      id: requireUuid(p.id),
      first: pageSize(first),
      after: after ?? null,
    });
  }
}
