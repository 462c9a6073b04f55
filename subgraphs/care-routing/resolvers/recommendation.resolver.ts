import { Arg, Ctx, Directive, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { badInput, forbidden } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { NO_ACCESS } from '../access.js';
import type { CareRoutingContext } from '../context.js';
import type { CareServiceName } from '../domain/facility-kinds.js';
import type { GeoPointValue } from '../store/places.js';
import { NO_PREFERENCES, type CarePreferences } from '../domain/preferences.js';
import { MAX_RADIUS_KM, MAX_SPECIALTY_LENGTH } from '../domain/search-limits.js';
import { TRAVEL_MODEL_TEXT } from '../domain/travel.js';
import { FACTORS, type Urgency } from '../domain/weights.js';
import { parsePlace, resolvePlace } from '../store/places.js';
import { recommend, type RoutingNeed } from '../store/recommend.js';
import { recommendDeps } from '../store/recommend-deps.js';
import { toFacility } from './facility.mapper.js';
import { PlaceInput } from './place.inputs.js';
import { preferencesFrom } from './preferences.resolver.js';
import {
  CareNeedInput,
  CarePreferencesInput,
  CareRecommendations,
  Patient,
} from './recommendation.types.js';

/** How far to look by default, per urgency (km). */
const DEFAULT_RADIUS_KM: Record<Urgency, number> = { emergency: 100, urgent: 100, routine: 150 };
const MAX_RECOMMENDATIONS = 20;

/** The need, checked (BAD_USER_INPUT naming the field). */
function needOf(input: CareNeedInput): RoutingNeed {
  const urgency = input.urgency as Urgency;
  const radiusKm = input.radiusKm ?? DEFAULT_RADIUS_KM[urgency];
  if (!Number.isFinite(radiusKm) || radiusKm <= 0 || radiusKm > MAX_RADIUS_KM)
    throw badInput(`radiusKm must be more than 0 and at most ${MAX_RADIUS_KM}`, 'radiusKm');
  const first = input.first ?? 5;
  if (!Number.isInteger(first) || first < 1 || first > MAX_RECOMMENDATIONS)
    throw badInput(`first must be between 1 and ${MAX_RECOMMENDATIONS}`, 'first');
  const specialty = input.specialty?.trim() || null;
  if (input.specialty != null && (!specialty || specialty.length > MAX_SPECIALTY_LENGTH))
    throw badInput(`specialty must be 1 to ${MAX_SPECIALTY_LENGTH} characters`, 'specialty');
  return {
    urgency,
    service: (input.service as CareServiceName | null | undefined) ?? null,
    specialty,
    radiusKm,
    first,
  };
}

/** Runs the recommender from `origin` and shapes its answer. */
async function answer(
  ctx: CareRoutingContext,
  need: RoutingNeed,
  origin: GeoPointValue,
  originSource: 'point' | 'postal-code',
  prefs: CarePreferences,
): Promise<CareRecommendations> {
  const weights = ctx.services.weights[need.urgency];
  const ranked = await recommend(ctx.em, recommendDeps(ctx.em, origin, ctx.now), need, prefs, {
    now: ctx.now,
    weights,
    staleMinutes: ctx.services.staleMinutes,
    trafficTtlMinutes: ctx.services.trafficTtlMinutes,
  });
  return {
    urgency: need.urgency as CareRecommendations['urgency'],
    origin: { latitude: origin.lat, longitude: origin.lon },
    originSource,
    travelModel: TRAVEL_MODEL_TEXT,
    weights: FACTORS.map((factor) => ({ factor, weight: weights[factor] })),
    recommendations: ranked.map((r) => ({
      rank: r.rank,
      facility: toFacility(r.facility),
      score: r.scored.score,
      distanceKm: Math.round(r.scored.candidate.distanceKm * 1000) / 1000,
      travelMinutes: r.scored.travelMinutes,
      openNow: r.scored.candidate.openNow,
      nextFreeSlot: r.nextSlot && {
        start: r.nextSlot.start,
        practitionerId: r.nextSlot.practitionerId,
      },
      factors: r.scored.factors,
      decidingFactors: r.decidingFactors,
      reasons: r.reasons,
    })),
  };
}

/**
 * Care recommendations: from a place (no patient, no PHI: any signed-in
 * caller), or for a patient from their postal code (their address is PHI:
 * decided by the kernel and audited, the patient's stored preferences
 * applied).
 */
@Resolver(() => Patient)
export class RecommendationResolver {
  @Query(() => CareRecommendations, {
    description:
      'Facilities for a need from a place, ranked with a transparent score (travel with traffic, capacity, emergency wait, diversion, next free slot, preferences) and the reasons, factor by factor.',
  })
  async careRecommendations(
    @Arg('near', () => PlaceInput) near: PlaceInput,
    @Arg('need', () => CareNeedInput) need: CareNeedInput,
    @Arg('preferences', () => CarePreferencesInput, { nullable: true })
    preferences: CarePreferencesInput | null,
    @Ctx() ctx: CareRoutingContext,
  ): Promise<CareRecommendations> {
    const checked = needOf(need);
    const place = parsePlace(near);
    const prefs = preferencesFrom(preferences);
    const origin = await resolvePlace(ctx.em, place);
    return answer(ctx, checked, origin, 'point' in place ? 'point' : 'postal-code', prefs);
  }

  @Directive('@requires(fields: "address { postalCode }")')
  @FieldResolver(() => CareRecommendations, {
    nullable: true,
    description:
      'Facilities for a need from where the patient lives (the centroid of their postal code), with their stored preferences: audited as a read of the patient; null with FORBIDDEN when the caller may not route them.',
  })
  async careOptions(
    @Root() patient: Patient,
    @Arg('need', () => CareNeedInput) need: CareNeedInput,
    @Ctx() ctx: CareRoutingContext,
  ): Promise<CareRecommendations> {
    const patientId = requireUuid(patient.id);
    const checked = needOf(need);
    // Decided and audited for every patient of the response in one round.
    const decision = await ctx.loaders.patientReads.load(patientId);
    if (!decision.allowed) throw forbidden(NO_ACCESS);
    const postalCode = patient.address?.find((a) => a.postalCode)?.postalCode;
    const place = postalCode ? parsePlace({ postalCode }, 'patient') : null;
    const [origin, stored] = await Promise.all([
      place && 'postalCode' in place ? ctx.loaders.zipCentroids.load(place.postalCode) : null,
      ctx.loaders.preferences.load(patientId),
    ]);
    if (!origin)
      throw badInput(
        'No known postal code of this patient is available to the caller: ask careRecommendations from a place',
        'patient',
      );
    // The recommender runs once per patient: each has their own origin.
    return answer(ctx, checked, origin, 'postal-code', stored ?? NO_PREFERENCES);
  }
}
