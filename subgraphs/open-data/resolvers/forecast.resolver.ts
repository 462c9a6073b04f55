import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { appendAudit } from '../../../platform/audit/writer.js';
import { auditEntriesFor, recordAccess } from '../../../platform/audit/request-audit.js';
import { badInput } from '../../../platform/errors/index.js';
import { requireAgreement, researchEvent } from '../access.js';
import type { OpenDataContext } from '../context.js';
import { forecastsOf, refreshForecasts, type ForecastRow } from '../store/forecasts.js';
import { ForecastSeriesCode } from './open-data.enums.js';
import { Forecast } from './research.types.js';

const toForecast = (r: ForecastRow): Forecast => ({
  series: r.series as ForecastSeriesCode,
  key: r.key,
  computedAt: r.computedAt,
  method: r.method,
  history: r.history,
  points: r.points,
  backtest: r.backtest && {
    origins: r.backtest.origins,
    horizon: r.backtest.horizon,
    model: r.backtest.model,
    seasonalNaive: r.backtest.baseline,
  },
});

/** Weekly forecasts with prediction intervals and their backtests, refreshed on a schedule. */
@Resolver()
export class ForecastResolver {
  @Query(() => [Forecast], {
    description:
      'Forecasts of a series family: the busiest regions, specialties or drugs (or the keys asked), 12 weeks ahead.',
  })
  async forecasts(
    @Arg('series', () => ForecastSeriesCode) series: ForecastSeriesCode,
    @Arg('keys', () => [String], { nullable: true }) keys: string[] | null,
    @Ctx() ctx: OpenDataContext,
  ): Promise<Forecast[]> {
    if (keys && (keys.length > 50 || keys.some((k) => k.length > 200)))
      throw badInput('keys takes at most 50 keys of at most 200 characters', 'keys');
    await requireAgreement(ctx, ctx.em, 'search');
    const rows = await forecastsOf(ctx.em, series, keys);
    await recordAccess(ctx, [researchEvent(ctx, 'search', 'permit', `forecasts:${series}`)]);
    return rows.map(toForecast);
  }

  @Mutation(() => [Forecast], {
    description:
      'Recomputes every forecast now (administrators; also runs every OPEN_DATA_FORECAST_HOURS).',
  })
  async refreshForecasts(@Ctx() ctx: OpenDataContext): Promise<Forecast[]> {
    const rows = await ctx.em.fork().transactional(async (em) => {
      const made = await refreshForecasts(em, ctx.now);
      await appendAudit(
        em,
        auditEntriesFor(ctx, [researchEvent(ctx, 'update', 'permit', 'forecasts:refresh')]),
      );
      return made;
    });
    return rows.map(toForecast);
  }
}
