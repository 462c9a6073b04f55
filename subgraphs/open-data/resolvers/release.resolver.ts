import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { appendAudit } from '../../../platform/audit/writer.js';
import { auditEntriesFor, recordAccess } from '../../../platform/audit/request-audit.js';
import { notFound } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { requireAgreement, researchEvent } from '../access.js';
import type { OpenDataContext } from '../context.js';
import { listReleases, publishRelease, releaseById, type ReleaseRow } from '../store/releases.js';
import { ReleaseKindCode } from './open-data.enums.js';
import { Release } from './research.types.js';

type ReleaseMeta = Omit<Release, 'csv' | 'ndjson'>;
const toRelease = (r: ReleaseRow): ReleaseMeta => ({ ...r, kind: r.kind as ReleaseKindCode });

/**
 * Releases: fixed count tables (small cells suppressed) and k-anonymous
 * record-level data sets, each versioned with its notes and method. Built by
 * administrators; read by researchers who accepted the agreement. Every
 * listing and every download is audited as research access.
 */
@Resolver(() => Release)
export class ReleaseResolver {
  @Query(() => [Release], { description: 'Published releases, newest first (at most 100).' })
  async releases(
    @Arg('kind', () => ReleaseKindCode, { nullable: true }) kind: ReleaseKindCode | null,
    @Ctx() ctx: OpenDataContext,
  ): Promise<ReleaseMeta[]> {
    await requireAgreement(ctx, ctx.em, 'search');
    const rows = await listReleases(ctx.em, kind ?? undefined);
    await recordAccess(ctx, [researchEvent(ctx, 'search', 'permit', 'releases')]);
    return rows.map(toRelease);
  }

  @Query(() => Release, { nullable: true, description: 'One release by id (null: none).' })
  async release(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: OpenDataContext,
  ): Promise<ReleaseMeta | null> {
    const releaseId = requireUuid(id, 'id');
    await requireAgreement(ctx, ctx.em, 'read');
    const row = await releaseById(ctx.em, releaseId);
    await recordAccess(ctx, [researchEvent(ctx, 'read', 'permit', 'release', releaseId)]);
    return row && toRelease(row);
  }

  @FieldResolver(() => String, {
    description: 'The data as CSV (RFC 4180); reading it is audited as an export.',
  })
  async csv(@Root() r: ReleaseMeta, @Ctx() ctx: OpenDataContext): Promise<string> {
    await recordAccess(ctx, [researchEvent(ctx, 'export', 'permit', 'release:csv', r.id)]);
    return (await ctx.loaders.releaseFiles.load(r.id)).csv;
  }

  @FieldResolver(() => String, {
    description:
      'The data as NDJSON (records: de-identified FHIR R4); reading it is audited as an export.',
  })
  async ndjson(@Root() r: ReleaseMeta, @Ctx() ctx: OpenDataContext): Promise<string> {
    await recordAccess(ctx, [researchEvent(ctx, 'export', 'permit', 'release:ndjson', r.id)]);
    return (await ctx.loaders.releaseFiles.load(r.id)).ndjson;
  }

  @Mutation(() => Release, {
    description:
      'Builds and publishes the next version of a release from the de-identified store (administrators). NOT_FOUND when the store holds no facts yet.',
  })
  async publishRelease(
    @Arg('kind', () => ReleaseKindCode) kind: ReleaseKindCode,
    @Ctx() ctx: OpenDataContext,
  ): Promise<ReleaseMeta> {
    const row = await ctx.em.fork().transactional(async (em) => {
      const made = await publishRelease(em, kind, ctx.principal.sub, ctx.now);
      if (made)
        await appendAudit(
          em,
          auditEntriesFor(ctx, [
            researchEvent(ctx, 'create', 'permit', `release:${kind}:v${made.version}`, made.id),
          ]),
        );
      return made;
    });
    if (!row) throw notFound('Research data to release');
    return toRelease(row);
  }
}
