import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { appendAudit } from '../../../platform/audit/writer.js';
import { auditEntriesFor } from '../../../platform/audit/request-audit.js';
import { badInput, conflict, notFound } from '../../../platform/errors/index.js';
import { researcherOf, researchEvent } from '../access.js';
import type { OpenDataContext } from '../context.js';
import { acceptedAt } from '../store/acceptances.js';
import { acceptAgreement, currentAgreement, publishAgreement } from '../store/privacy-budget.js';
import { DataUseAgreement, DataUseAgreementAcceptance } from './research.types.js';

const MAX_BODY = 20_000;

/** The data use agreement: read and accepted by researchers, published by administrators. */
@Resolver()
export class AgreementResolver {
  @Query(() => DataUseAgreement, {
    nullable: true,
    description:
      'The current data use agreement, and when the caller accepted it (null: none published).',
  })
  async dataUseAgreement(@Ctx() ctx: OpenDataContext): Promise<DataUseAgreement | null> {
    const current = await currentAgreement(ctx.em);
    if (!current) return null;
    return {
      ...current,
      acceptedAt: await acceptedAt(ctx.em, researcherOf(ctx), current.version),
    };
  }

  @Mutation(() => DataUseAgreementAcceptance, {
    description:
      'Accepts the current data use agreement (its version, as read): a researcher’s first step. Accepting again changes nothing; an older version is CONFLICT.',
  })
  async acceptDataUseAgreement(
    @Arg('version', () => Int) version: number,
    @Ctx() ctx: OpenDataContext,
  ): Promise<DataUseAgreementAcceptance> {
    return ctx.em.fork().transactional(async (em) => {
      const current = await currentAgreement(em);
      if (!current) throw notFound('A data use agreement');
      if (current.version !== version)
        throw conflict('That is not the current version; read dataUseAgreement and accept it', {
          currentVersion: current.version,
        });
      const accepted = await acceptAgreement(em, researcherOf(ctx), version);
      await appendAudit(
        em,
        auditEntriesFor(ctx, [researchEvent(ctx, 'create', 'permit', `agreement:v${version}`)]),
      );
      return { version, acceptedAt: accepted.acceptedAt };
    });
  }

  @Mutation(() => DataUseAgreement, {
    description:
      'Publishes a new version of the data use agreement (administrators); every researcher must accept it before their next question.',
  })
  async publishDataUseAgreement(
    @Arg('title', () => String) title: string,
    @Arg('body', () => String) body: string,
    @Ctx() ctx: OpenDataContext,
  ): Promise<DataUseAgreement> {
    if (!title.trim() || title.length > 200)
      throw badInput('title must be 1–200 characters', 'title');
    if (!body.trim() || body.length > MAX_BODY)
      throw badInput(`body must be 1–${MAX_BODY} characters`, 'body');
    const published = await ctx.em.fork().transactional(async (em) => {
      const version = ((await currentAgreement(em))?.version ?? 0) + 1;
      await publishAgreement(em, { version, title, body });
      await appendAudit(
        em,
        auditEntriesFor(ctx, [researchEvent(ctx, 'create', 'permit', `agreement:v${version}`)]),
      );
      return (await currentAgreement(em))!;
    });
    return { ...published, acceptedAt: null };
  }
}
