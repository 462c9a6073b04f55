import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../../../platform/errors/index.js';
import type { BillingContext } from '../context.js';
import { allPayers, feesByCodes, listPlans } from '../store/reference-reads.js';
import { toPayer, toPlan } from './billing.mapper.js';
import { FeeScheduleItem, Payer, Plan } from './billing.types.js';
import { moneyOrNull } from './money.type.js';

const CODE = /^[A-Z][0-9]{4}$/;

/** Payers, plans and the fee schedule: public reference data, not PHI. */
@Resolver(() => Plan)
export class ReferenceResolver {
  @Query(() => [Payer], { description: 'Every payer, by name.' })
  async payers(@Ctx() ctx: BillingContext): Promise<Payer[]> {
    return (await allPayers(ctx.em)).map(toPayer);
  }

  @Query(() => [Plan], { description: 'Insurance plans, of one payer or all.' })
  async plans(
    @Ctx() ctx: BillingContext,
    @Arg('payerId', () => ID, { nullable: true, description: 'Only this payer’s plans.' })
    payerId?: string,
  ): Promise<Plan[]> {
    const plans = await listPlans(ctx.em, payerId ?? undefined);
    const payers = await Promise.all(plans.map((p) => ctx.loaders.payer.load(p.payerId)));
    return plans.flatMap((p, i) => {
      const payer = payers[i];
      return payer ? [toPlan(p, payer)] : [];
    });
  }

  @Query(() => [FeeScheduleItem], {
    description:
      'Fee schedule lines for up to 100 HCPCS Level II codes (unknown codes are left out).',
  })
  async feeSchedule(
    @Arg('codes', () => [String], { description: 'HCPCS Level II codes, e.g. ["G0463"].' })
    codes: string[],
    @Ctx() ctx: BillingContext,
  ): Promise<FeeScheduleItem[]> {
    if (codes.length < 1 || codes.length > 100) throw badInput('Ask for 1 to 100 codes', 'codes');
    if (!codes.every((c) => CODE.test(c)))
      throw badInput('Codes are HCPCS Level II: a capital letter and four digits', 'codes');
    return (await feesByCodes(ctx.em, [...new Set(codes)])).map((f) => ({
      code: f.code,
      description: f.description,
      statusIndicator: f.statusIndicator,
      rate: moneyOrNull(f.rate),
    }));
  }

  @FieldResolver(() => Payer)
  async payer(@Root() plan: Plan, @Ctx() ctx: BillingContext): Promise<Payer> {
    if (plan.payer.name) return plan.payer;
    const payer = await ctx.loaders.payer.load(plan.payer.id);
    if (!payer) throw new Error('A plan points to a missing payer');
    return toPayer(payer);
  }
}
