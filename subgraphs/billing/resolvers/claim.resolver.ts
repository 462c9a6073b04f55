import type { EntityManager } from '@mikro-orm/postgresql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { GraphQLError } from 'graphql';
import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Permission } from '../../../platform/authz/index.js';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { forbidden } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import { NO_ACCESS, payerOf, readable, billingWrite } from '../access.js';
import type { BillingContext } from '../context.js';
import { readableClaims, readableCoverages, readOne } from '../readable.js';
import {
  adjudicateClaim,
  claimsByIds,
  claimsPage,
  closeClaim,
  createClaim,
  submitClaim,
  type ClaimRow,
} from '../store/claims.js';
import { runOnce } from '../../../platform/db/idempotency.js';
import { SCHEMA } from '../store/ledger.js';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { toCharge, toClaim, toCoverage, toPayer } from './billing.mapper.js';
import {
  Charge,
  Claim,
  ClaimConnection,
  ClaimStatusCode,
  Coverage,
  Payer,
} from './billing.types.js';
import { AdjudicateClaimInput, CreateClaimInput } from './claim.inputs.js';
import { moneyIn } from './money.type.js';

async function loadClaim(em: EntityManager, id: string): Promise<ClaimRow> {
  const [row] = await claimsByIds(em, [id]);
  if (!row) throw new Error('Claim vanished');
  return row;
}

// Stored statuses by their GraphQL enum names (partially-paid → partiallyPaid).
const API_STATUS = new Map<unknown, string>(
  Object.entries(ClaimStatusCode).map(([name, value]) => [value, name]),
);

/** INVALID_TRANSITION with `from`/`to` as the API spells statuses; anything else unchanged. */
function inApiTerms(err: unknown): unknown {
  if (!(err instanceof GraphQLError) || err.extensions.code !== 'INVALID_TRANSITION') return err;
  const from = API_STATUS.get(err.extensions.from) ?? String(err.extensions.from);
  const to = API_STATUS.get(err.extensions.to) ?? String(err.extensions.to);
  return new GraphQLError(`A claim that is ${from} cannot become ${to}`, {
    extensions: { code: 'INVALID_TRANSITION', from, to },
  });
}

/** Claims: built and submitted by billing staff, adjudicated by them or by the payer’s app. */
@Resolver(() => Claim)
export class ClaimResolver {
  @Query(() => Claim, { description: 'One claim, if the caller may see it.' })
  async claim(@Arg('id', () => ID) id: string, @Ctx() ctx: BillingContext): Promise<Claim> {
    return toClaim(await readOne(ctx, readableClaims, requireUuid(id)));
  }

  @Query(() => ClaimConnection, {
    description:
      'Claims, newest first: billing staff see all (or one patient’s), a payer app only claims against its own coverage.',
  })
  async claims(
    @Ctx() ctx: BillingContext,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Arg('status', () => [ClaimStatusCode], { nullable: true, description: 'Only these statuses.' })
    status?: ClaimStatusCode[],
    @Arg('patientId', () => ID, { nullable: true, description: 'Only this patient’s claims.' })
    patientId?: string,
  ): Promise<ClaimConnection> {
    const payerId = payerOf(ctx.principal);
    // Only staff list every claim; a payer app its own payer's. Anyone else would only collect refusals.
    if (
      payerId === undefined &&
      !ctx.principal.roles.some((r) => r === 'billing' || r === 'admin')
    ) {
      await recordAccess(ctx, [
        {
          resourceType: 'Claim',
          action: 'search',
          purpose: ctx.principal.purposeOfUse,
          outcome: 'deny',
          reason: 'denied:role',
        },
      ]);
      throw forbidden('Not permitted: Query.claims');
    }
    const page = await claimsPage(
      ctx.em,
      {
        ...(patientId ? { patientIds: [requireUuid(patientId, 'patientId')] } : {}),
        ...(payerId !== undefined ? { payerId } : {}),
        ...(status?.length ? { status } : {}),
      },
      pageSize(first),
      after ?? null,
    );
    const rows = await readable(ctx, page.rows, 'Claim', 'search');
    const edges = rows.map((r) => ({ cursor: page.cursorOf(r), node: toClaim(r) }));
    // Paging follows what is returned: a refused claim's cursor would reveal it.
    return {
      edges,
      pageInfo: {
        hasNextPage: page.hasNextPage && edges.length > 0,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
    };
  }

  @Mutation(() => Claim, {
    description:
      'Builds a draft claim from a visit’s unclaimed charges under one of the patient’s coverages.',
  })
  async createClaim(
    @Arg('input', () => CreateClaimInput) input: CreateClaimInput,
    @Ctx() ctx: BillingContext,
  ): Promise<Claim> {
    const appointmentId = requireUuid(input.appointmentId, 'appointmentId');
    const coverage = await ctx.loaders.coverage.load(requireUuid(input.coverageId, 'coverageId'));
    if (!coverage) throw forbidden(NO_ACCESS);
    const subject = { patientId: coverage.patientId, payerId: coverage.payerId };
    const by = ctx.principal.sub;
    const request = { appointmentId, coverageId: coverage.id };
    const answer = async (em: EntityManager, claimId: string) =>
      toClaim(await loadClaim(em, claimId));
    return auditedWrite(
      ctx,
      {
        decision: billingWrite(ctx, subject, 'Claim', 'c', 'create'),
        patientId: subject.patientId,
        dataClass: 'Claim',
        action: 'create',
      },
      {
        idempotency: {
          schema: SCHEMA,
          key: input.idempotencyKey,
          operation: 'createClaim',
          request,
        },
        write: async (em) => {
          const { id } = await createClaim(em, { ...request, by });
          return { id, result: await answer(em, id) };
        },
        replay: answer,
      },
    );
  }

  @Mutation(() => Claim, { description: 'Submits a draft claim to its payer.' })
  async submitClaim(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: BillingContext,
    @Arg('expectedVersion', () => Int, {
      nullable: true,
      description: 'The version you read (CONFLICT if it changed).',
    })
    expectedVersion?: number,
  ): Promise<Claim> {
    return this.change(ctx, id, 'u', (em, row) =>
      submitClaim(em, row.id, expectedVersion ?? undefined, ctx.principal.sub),
    );
  }

  @Mutation(() => Claim, {
    description:
      'Records the payer’s decision on a submitted claim and posts it to the ledger: the payment, and the contractual write-off of total − allowed.',
  })
  async adjudicateClaim(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => AdjudicateClaimInput) input: AdjudicateClaimInput,
    @Ctx() ctx: BillingContext,
  ): Promise<Claim> {
    const allowed = moneyIn(input.allowed, 'allowed');
    const paid = moneyIn(input.paid, 'paid');
    const by = ctx.principal.sub;
    return this.change(ctx, id, 'u', async (em, row) => {
      const out = await runOnce(
        em,
        SCHEMA,
        {
          by,
          key: input.idempotencyKey,
          operation: 'adjudicateClaim',
          request: {
            id: row.id,
            outcome: input.outcome,
            allowed: [allowed.amountMinor.toString(), allowed.currency],
            paid: [paid.amountMinor.toString(), paid.currency],
            denialReason: input.denialReason ?? null,
            payerReference: input.payerReference ?? null,
          },
        },
        async (tem) =>
          (
            await adjudicateClaim(tem, row.id, {
              outcome: input.outcome,
              allowed,
              paid,
              ...(input.denialReason !== undefined ? { denialReason: input.denialReason } : {}),
              ...(input.payerReference !== undefined
                ? { payerReference: input.payerReference }
                : {}),
              by,
            })
          ).id,
      );
      // A replay answers the claim as it stands, audited as a read (auditedWrite's one rule).
      return { ...(await loadClaim(em, out.id)), replayed: out.replayed };
    });
  }

  @Mutation(() => Claim, { description: 'Closes an adjudicated claim.' })
  async closeClaim(@Arg('id', () => ID) id: string, @Ctx() ctx: BillingContext): Promise<Claim> {
    return this.change(ctx, id, 'u', (em, row) => closeClaim(em, row.id, ctx.principal.sub));
  }

  /** One authorised, audited change of an existing claim. */
  private async change(
    ctx: BillingContext,
    id: string,
    permission: Permission,
    apply: (em: EntityManager, row: ClaimRow) => Promise<ClaimRow & { replayed?: boolean }>,
  ): Promise<Claim> {
    const row = await ctx.loaders.claim.load(requireUuid(id));
    if (!row) throw forbidden(NO_ACCESS);
    const subject = { patientId: row.patientId, payerId: row.payerId };
    try {
      return await auditedWrite(
        ctx,
        {
          decision: billingWrite(ctx, subject, 'Claim', permission, 'update', row.id),
          patientId: subject.patientId,
          dataClass: 'Claim',
          action: 'update',
        },
        async (em) => {
          const updated = await apply(em, row);
          return { id: updated.id, replayed: updated.replayed, result: toClaim(updated) };
        },
      );
    } catch (err) {
      throw inApiTerms(err);
    }
  }

  @FieldResolver(() => [Charge], { description: 'The charges claimed.' })
  async charges(@Root() c: Claim, @Ctx() ctx: BillingContext): Promise<Charge[]> {
    return (await ctx.loaders.chargesOfClaim.load(c.id)).map(toCharge);
  }

  @FieldResolver(() => Coverage, {
    description: 'The coverage claimed under (read with its own checks and audit).',
  })
  async coverage(@Root() c: Claim, @Ctx() ctx: BillingContext): Promise<Coverage> {
    return toCoverage(await readOne(ctx, readableCoverages, c.coverageId));
  }

  @FieldResolver(() => Payer)
  async payer(@Root() c: Claim, @Ctx() ctx: BillingContext): Promise<Payer> {
    const payer = await ctx.loaders.payer.load(c.payerId);
    if (!payer) throw new Error('A claim points to a missing payer');
    return toPayer(payer);
  }
}
