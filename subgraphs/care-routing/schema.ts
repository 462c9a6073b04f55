import {
  buildFederatedSchema,
  type FederatedSchema,
} from '../../platform/federation/build-schema.js';
import type { CareRoutingContext } from './context.js';
import { FacilityAvailabilityResolver } from './resolvers/facility-availability.resolver.js';
import { FacilityResolver } from './resolvers/facility.resolver.js';
import { toFacility } from './resolvers/facility.mapper.js';
import { NearbyResolver } from './resolvers/nearby.resolver.js';
import { CarePreferencesResolver } from './resolvers/preferences.resolver.js';
import { RecommendationResolver } from './resolvers/recommendation.resolver.js';
import { Patient } from './resolvers/recommendation.types.js';
import { FacilityStatusResolver } from './resolvers/status.resolver.js';

/** Other subgraphs point at a facility by its id or by a FHIR Location id that names it. */
const resolveFacility = async (ref: { id: string }, ctx: CareRoutingContext) => {
  const row = await ctx.loaders.facilities.load(ref.id);
  return row ? toFacility(row) : null;
};

/** Care routing's schema (no database needed: `npm run compose` uses it too). */
export function buildCareRoutingSchema(): Promise<FederatedSchema> {
  return buildFederatedSchema(
    {
      resolvers: [
        FacilityResolver,
        FacilityStatusResolver,
        FacilityAvailabilityResolver,
        NearbyResolver,
        RecommendationResolver,
        CarePreferencesResolver,
      ],
      orphanedTypes: [Patient],
      validate: { forbidUnknownValues: false, validationError: { target: false, value: false } },
    },
    {
      Facility: { __resolveReference: resolveFacility },
      // The gateway sends the patient's postal codes (`@requires`) with the reference.
      Patient: { __resolveReference: (ref: Patient) => ref },
    },
  );
}
