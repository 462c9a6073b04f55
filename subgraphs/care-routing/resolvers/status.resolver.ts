import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { checkIdempotencyKey, runOnce } from '../../../platform/db/idempotency.js';
import { badInput, notFound } from '../../../platform/errors/index.js';
import { PageArgs } from '../../../platform/federation/connection.js';
import { decodeKeyset, keysetCursor } from '../../../platform/federation/keyset.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import type { IsoWeekday } from '../../../platform/time/index.js';
import type { CareRoutingContext } from '../context.js';
import { FACILITY_KEY } from '../domain/facility-key.js';
import { checkStatusReport, type StatusReport } from '../domain/status-report.js';
import { recordStatusReport, reportById, statusReports } from '../store/status.js';
import { recordTraffic } from '../store/traffic.js';
import { Facility } from './facility.types.js';
import { toReport, toStatus } from './status.mapper.js';
import {
  FacilityStatus,
  FacilityStatusInput,
  FacilityStatusReportConnection,
  FacilityStatusReportResult,
  TrafficReportInput,
} from './status.types.js';

/** At most this many traffic reports per call. */
const MAX_TRAFFIC_REPORTS = 500;
const REGION = /^[0-9]{3}$/;

/** A feed is a partner system; anyone else reporting is facility staff. */
const sourceOf = (ctx: CareRoutingContext): 'staff' | 'feed' =>
  ctx.principal.roles.includes('partner') ? 'feed' : 'staff';

function toReportInput(input: FacilityStatusInput, now: Date): StatusReport {
  if (input.clearHours && input.hours)
    throw badInput('Give hours or clearHours, not both', 'clearHours');
  return {
    ...(input.bedsAvailable != null ? { bedsAvailable: input.bedsAvailable } : {}),
    ...(input.emergencyWaitMinutes != null
      ? { emergencyWaitMinutes: input.emergencyWaitMinutes }
      : {}),
    ...(input.diversion != null ? { diversion: input.diversion } : {}),
    ...(input.hours
      ? { hours: input.hours.map((h) => ({ ...h, weekday: h.weekday as IsoWeekday })) }
      : input.clearHours
        ? { hours: null }
        : {}),
    observedAt: input.observedAt ?? now,
  };
}

/**
 * Capacity and status: readable by any signed-in caller (no PHI), reported
 * by facility staff or a partner feed (persisted operations), each value
 * with its time; every report kept.
 */
@Resolver(() => Facility)
export class FacilityStatusResolver {
  @FieldResolver(() => FacilityStatus, {
    description: 'What it last reported of its capacity and status, each value with its time.',
  })
  async status(@Root() f: Facility, @Ctx() ctx: CareRoutingContext): Promise<FacilityStatus> {
    const row = await ctx.loaders.statuses.load(f.id);
    return toStatus(row ?? undefined, f, ctx.now, ctx.services.staleMinutes);
  }

  @FieldResolver(() => FacilityStatusReportConnection, {
    description: 'Its status reports, newest observation first (the history).',
  })
  async statusHistory(
    @Root() f: Facility,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() ctx: CareRoutingContext,
  ): Promise<FacilityStatusReportConnection> {
    const size = pageSize(first);
    const rows = await statusReports(ctx.em, f.id, size, decodeKeyset('status-report', after));
    const edges = rows.slice(0, size).map((r) => ({
      cursor: keysetCursor('status-report', r.sortKey, r.id),
      node: toReport(r),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Mutation(() => FacilityStatusReportResult, {
    description:
      'Reports a facility’s capacity and status (staff, or a partner feed through a persisted operation). A value observed before the one held is kept in the history only. Once per idempotency key.',
  })
  async reportFacilityStatus(
    @Arg('facilityId', () => ID) facilityId: string,
    @Arg('input', () => FacilityStatusInput) input: FacilityStatusInput,
    @Ctx() ctx: CareRoutingContext,
  ): Promise<FacilityStatusReportResult> {
    checkIdempotencyKey(input.idempotencyKey);
    const facility = FACILITY_KEY.test(facilityId)
      ? await ctx.loaders.facilities.load(facilityId)
      : null;
    if (!facility) throw notFound('Facility');
    const report = toReportInput(input, ctx.now);
    checkStatusReport(report, facility.timeZone, ctx.now);
    const { id } = await runOnce(
      ctx.em,
      'routing',
      {
        by: ctx.principal.sub,
        key: input.idempotencyKey,
        operation: 'reportFacilityStatus',
        request: { facilityId: facility.id, ...input, idempotencyKey: undefined },
      },
      async (em) =>
        (await recordStatusReport(em, facility.id, report, sourceOf(ctx), ctx.principal.sub))
          .reportId,
    );
    const recorded = await reportById(ctx.em, id);
    if (!recorded) throw new Error('a recorded status report is missing');
    ctx.loaders.statuses.clear(facility.id);
    const status = await ctx.loaders.statuses.load(facility.id);
    return {
      report: toReport(recorded),
      status: toStatus(status ?? undefined, facility, ctx.now, ctx.services.staleMinutes),
    };
  }

  @Mutation(() => Int, {
    description: `Reports regional traffic (a partner feed): up to ${MAX_TRAFFIC_REPORTS} regions; travel estimates use a region’s latest factor while it is current (CARE_ROUTING_TRAFFIC_TTL_MINUTES). Answers how many were recorded; once per idempotency key.`,
  })
  async reportTraffic(
    @Arg('reports', () => [TrafficReportInput]) reports: TrafficReportInput[],
    @Arg('idempotencyKey', () => String) idempotencyKey: string,
    @Ctx() ctx: CareRoutingContext,
  ): Promise<number> {
    checkIdempotencyKey(idempotencyKey);
    if (reports.length === 0 || reports.length > MAX_TRAFFIC_REPORTS)
      throw badInput(`Give 1 to ${MAX_TRAFFIC_REPORTS} reports`, 'reports');
    const rows = reports.map((r, i) => {
      if (!REGION.test(r.region))
        throw badInput(`reports[${i}].region must be three digits (a ZIP prefix)`, 'region');
      if (!Number.isFinite(r.factor) || r.factor < 0.5 || r.factor > 10)
        throw badInput(`reports[${i}].factor must be from 0.5 to 10`, 'factor');
      const observedAt = r.observedAt ?? ctx.now;
      if (observedAt.getTime() > ctx.now.getTime() + 300_000)
        throw badInput(`reports[${i}].observedAt is in the future`, 'observedAt');
      return { region: r.region, factor: r.factor, observedAt };
    });
    const { id, replayed } = await runOnce(
      ctx.em,
      'routing',
      { by: ctx.principal.sub, key: idempotencyKey, operation: 'reportTraffic', request: reports },
      async (em) => String(await recordTraffic(em, rows, ctx.principal.sub)),
    );
    return replayed ? Number(id) : rows.length;
  }
}
