import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { recordAccess, auditEntriesFor } from '../../../platform/audit/request-audit.js';
import { appendAudit } from '../../../platform/audit/writer.js';
import { badInput, budgetExhausted, conflict } from '../../../platform/errors/index.js';
import type { JsonValue } from '../../../platform/events/envelope.js';
import { requireAgreement, researcherOf, researchEvent } from '../access.js';
import type { OpenDataContext } from '../context.js';
import { checkQuestion } from '../domain/count-question.js';
import { fromMicro, toMicro } from '../domain/dp/budget.js';
import { answerCount, type CountAnswerData } from '../store/answers.js';
import {
  budgetOf,
  ensureBudget,
  ledgerOf,
  questionDigest,
  spendAndAnswer,
} from '../store/privacy-budget.js';
import type { DimensionCode } from './open-data.enums.js';
import { CountQuestionInput } from './research.inputs.js';
import { CountAnswer, PrivacyBudget } from './research.types.js';

const REQUEST_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Interactive research questions, answered with differential privacy and
 * paid for from the researcher's privacy budget, exactly once per answer
 * (the ledger, in the transaction that answers). Every question is audited
 * as research access, permitted or refused, with no patient id.
 */
@Resolver()
export class ResearchResolver {
  @Mutation(() => CountAnswer, {
    description:
      'Counts distinct patients per cell (or rates against a second cohort) with differential privacy; spends `epsilon` from your budget once per requestKey. BUDGET_EXHAUSTED when it does not cover it; AGREEMENT_REQUIRED before the current data use agreement is accepted.',
  })
  async askCount(
    @Arg('question', () => CountQuestionInput) input: CountQuestionInput,
    @Ctx() ctx: OpenDataContext,
  ): Promise<CountAnswer> {
    if (!REQUEST_KEY.test(input.requestKey))
      throw badInput('requestKey must be 1–200 printable characters', 'requestKey');
    const question = checkQuestion(
      {
        filter: input.filter,
        groupBy: input.groupBy ?? [],
        yearFrom: input.yearFrom,
        yearTo: input.yearTo,
        epsilon: input.epsilon,
        rateOf: input.rateOf,
      },
      fromMicro(ctx.services.maxQueryMicro),
    );
    const researcher = researcherOf(ctx);
    const asked = question as unknown as JsonValue;
    const digest = questionDigest(asked).slice(0, 16);
    const result = await ctx.em.fork().transactional(async (em) => {
      await requireAgreement(ctx, em, 'search');
      await ensureBudget(em, researcher, ctx.services.budgetMicro);
      const spent = await spendAndAnswer<CountAnswerData>(em, {
        researcher,
        requestKey: input.requestKey,
        question: asked,
        epsilonMicro: toMicro(question.epsilon),
        answer: () => answerCount(em, question),
      });
      if (spent.kind === 'answered') {
        const reason = `${spent.replay ? 'dp-count-replay' : 'dp-count'}:${digest}:epsilon=${question.epsilon}`;
        await appendAudit(
          em,
          auditEntriesFor(ctx, [researchEvent(ctx, 'search', 'permit', reason)]),
        );
      }
      return spent;
    });
    if (result.kind === 'conflict')
      throw conflict('This requestKey was used for another question; use a new key');
    if (result.kind === 'exhausted') {
      await recordAccess(ctx, [researchEvent(ctx, 'search', 'deny', 'denied:budget')]);
      throw budgetExhausted('Your privacy budget does not cover this epsilon', {
        remaining: fromMicro(result.remainingMicro),
        asked: question.epsilon,
      });
    }
    const budget = await budgetOf(ctx.em, researcher);
    return {
      ...result.answer,
      groupBy: result.answer.groupBy as DimensionCode[],
      requestKey: input.requestKey,
      replay: result.replay,
      remainingBudget: fromMicro(budget?.remainingMicro ?? 0),
    };
  }

  @Query(() => PrivacyBudget, {
    description: 'Your privacy budget: total, spent, remaining, and the answers it paid for.',
  })
  async privacyBudget(@Ctx() ctx: OpenDataContext): Promise<PrivacyBudget> {
    const researcher = researcherOf(ctx);
    const budget = await budgetOf(ctx.em, researcher);
    const total = budget?.totalMicro ?? ctx.services.budgetMicro;
    const spent = budget?.spentMicro ?? 0;
    const ledger = budget ? await ledgerOf(ctx.em, researcher, 100) : [];
    await recordAccess(ctx, [researchEvent(ctx, 'read', 'permit', 'privacy-budget')]);
    return {
      total: fromMicro(total),
      spent: fromMicro(spent),
      remaining: fromMicro(total - spent),
      ledger: ledger.map((e) => ({
        requestKey: e.requestKey,
        epsilon: fromMicro(e.epsilonMicro),
        questionDigest: e.questionDigest,
        answeredAt: e.answeredAt,
      })),
    };
  }
}
