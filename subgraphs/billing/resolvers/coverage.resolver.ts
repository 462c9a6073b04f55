import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, forbidden } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { calendarDate } from '../../../platform/federation/validators.js';
import { NO_ACCESS, billingWrite } from '../access.js';
import type { BillingContext } from '../context.js';
import { readableCoverages, readOne } from '../readable.js';
import { cancelCoverage, memberIdOf, recordCoverage, coveragesById } from '../store/coverage.js';
import { SCHEMA } from '../store/ledger.js';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { toCoverage, toPayer, toPlan } from './billing.mapper.js';
import { Coverage, Payer, Plan } from './billing.types.js';
import { RecordCoverageInput } from './coverage.inputs.js';

function isoDate(value: string | undefined | null, field: string): void {
  if (value !== undefined && value !== null && !calendarDate(value))
    throw badInput(`${field} must be a date YYYY-MM-DD`, field);
}

/** Coverage: recorded by billing staff, read by them, the patient and the coverage’s payer. */
@Resolver(() => Coverage)
export class CoverageResolver {
  @Query(() => Coverage, { description: 'One coverage, if the caller may see it.' })
  async coverage(@Arg('id', () => ID) id: string, @Ctx() ctx: BillingContext): Promise<Coverage> {
    return toCoverage(await readOne(ctx, readableCoverages, requireUuid(id)));
  }

  @Mutation(() => Coverage, {
    description:
      'Records a patient’s coverage. Two active coverages of one priority may not overlap (CONFLICT).',
  })
  async recordCoverage(
    @Arg('input', () => RecordCoverageInput) input: RecordCoverageInput,
    @Ctx() ctx: BillingContext,
  ): Promise<Coverage> {
    const patientId = requireUuid(input.patientId, 'patientId');
    isoDate(input.periodStart, 'periodStart');
    isoDate(input.periodEnd, 'periodEnd');
    const subject = { patientId };
    const by = ctx.principal.sub;
    const request = { ...input, patientId, idempotencyKey: undefined };
    const answer = async (em: EntityManager, coverageId: string) => {
      const [row] = await coveragesById(em, [coverageId]);
      if (!row) throw new Error('Recorded coverage vanished');
      return toCoverage(row);
    };
    return auditedWrite(
      ctx,
      {
        decision: billingWrite(ctx, subject, 'Coverage', 'c', 'create'),
        patientId: subject.patientId,
        dataClass: 'Coverage',
        action: 'create',
      },
      {
        idempotency: {
          schema: SCHEMA,
          key: input.idempotencyKey,
          operation: 'recordCoverage',
          request,
        },
        write: async (em) => {
          const { id } = await recordCoverage(em, ctx.services.cipher, {
            patientId,
            planId: input.planId,
            memberId: input.memberId,
            relationship: input.relationship,
            periodStart: input.periodStart,
            periodEnd: input.periodEnd ?? null,
            priority: input.priority,
            by,
          });
          return { id, result: await answer(em, id) };
        },
        replay: answer,
      },
    );
  }

  @Mutation(() => Coverage, {
    description: 'Cancels a coverage (CONFLICT with currentVersion when expectedVersion is stale).',
  })
  async cancelCoverage(
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int, { description: 'The version you read.' })
    expectedVersion: number,
    @Ctx() ctx: BillingContext,
  ): Promise<Coverage> {
    const row = await ctx.loaders.coverage.load(requireUuid(id));
    if (!row) throw forbidden(NO_ACCESS);
    const subject = { patientId: row.patientId, payerId: row.payerId };
    return auditedWrite(
      ctx,
      {
        decision: billingWrite(ctx, subject, 'Coverage', 'u', 'update', row.id),
        patientId: subject.patientId,
        dataClass: 'Coverage',
        action: 'update',
      },
      async (em) => {
        const updated = await cancelCoverage(em, row.id, expectedVersion, ctx.principal.sub);
        return { id: updated.id, replayed: false, result: toCoverage(updated) };
      },
    );
  }

  @FieldResolver(() => String, {
    description: 'Member id on the insurance card (stored encrypted).',
  })
  async memberId(@Root() c: Coverage, @Ctx() ctx: BillingContext): Promise<string> {
    return memberIdOf(ctx.em, ctx.services.cipher, {
      id: c.id,
      memberIdCipher: c.memberIdCipher,
    });
  }

  @FieldResolver(() => Payer)
  async payer(@Root() c: Coverage, @Ctx() ctx: BillingContext): Promise<Payer> {
    const payer = await ctx.loaders.payer.load(c.payerId);
    if (!payer) throw new Error('A coverage points to a missing payer');
    return toPayer(payer);
  }

  @FieldResolver(() => Plan)
  async plan(@Root() c: Coverage, @Ctx() ctx: BillingContext): Promise<Plan> {
    const [plan, payer] = await Promise.all([
      ctx.loaders.plan.load(c.planId),
      ctx.loaders.payer.load(c.payerId),
    ]);
    if (!plan || !payer) throw new Error('A coverage points to a missing plan');
    return toPlan(plan, payer);
  }
}
