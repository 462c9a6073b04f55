import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { CareRoutingContext } from '../context.js';
import { searchNearby } from '../store/nearby.js';
import { parsePlace, resolvePlace } from '../store/places.js';
import { toFacility } from './facility.mapper.js';
import { NearbyFacilitiesArgs } from './nearby.inputs.js';
import { NearbyFacilityConnection } from './nearby.types.js';

/** Nearby search: any signed-in caller, partner apps included (the directory holds no PHI). */
@Resolver()
export class NearbyResolver {
  @Query(() => NearbyFacilityConnection, {
    description:
      'Facilities nearest a point or ZIP code, nearest first, with their distance: optionally within a radius, of some kinds, offering some services or a specialty, open now, not on diversion. Paged.',
  })
  async nearbyFacilities(
    @Args(() => NearbyFacilitiesArgs) args: NearbyFacilitiesArgs,
    @Ctx() ctx: CareRoutingContext,
  ): Promise<NearbyFacilityConnection> {
    const point = await resolvePlace(ctx.em, parsePlace(args.near, 'near'), 'near');
    const page = await searchNearby(ctx.em, {
      point,
      radiusKm: args.radiusKm,
      kinds: args.kinds,
      services: args.services,
      specialty: args.specialty,
      openNow: args.openNow ? ctx.now : null,
      excludeDiversion: args.excludeDiversion,
      first: args.first,
      after: args.after,
    });
    return {
      edges: page.rows.map((r) => ({
        cursor: r.cursor,
        node: { facility: toFacility(r.facility), distanceKm: r.distanceKm },
      })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }
}
