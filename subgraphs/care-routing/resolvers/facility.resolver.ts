import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { CareRoutingContext } from '../context.js';
import { FACILITY_KEY } from '../domain/facility-key.js';
import { toFacility } from './facility.mapper.js';
import { Facility } from './facility.types.js';

/** The directory: any signed-in caller may read it (it holds no PHI). */
@Resolver(() => Facility)
export class FacilityResolver {
  @Query(() => Facility, {
    nullable: true,
    description: 'A facility by its id or by a FHIR Location id that names it; null when unknown.',
  })
  async facility(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: CareRoutingContext,
  ): Promise<Facility | null> {
    if (!FACILITY_KEY.test(id)) return null;
    const row = await ctx.loaders.facilities.load(id);
    return row ? toFacility(row) : null;
  }
}
