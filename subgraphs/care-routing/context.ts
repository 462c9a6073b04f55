import type { FieldCipher } from '../../platform/crypto/index.js';
import { projectedAccess, type AccessContext, type WithFacts } from '../../platform/authz/index.js';
import type { RequestContext } from '../../platform/federation/context.js';
import type { RecommendationWeights } from './domain/weights.js';
import { createLoaders, type CareRoutingLoaders } from './loaders.js';

/** Long-lived services care routing's resolvers and jobs share. */
export interface CareRoutingServices {
  cipher: FieldCipher;
  /** `ACCESS_FACTS_MAX_LAG_MS`: PHI is refused when the access facts may lag more. */
  accessFactsMaxLagMs: number;
  /** A reported bed count, wait or diversion older than this is shown as stale (CARE_ROUTING_STALE_MINUTES). */
  staleMinutes: number;
  /** A traffic report older than this no longer counts (CARE_ROUTING_TRAFFIC_TTL_MINUTES). */
  trafficTtlMinutes: number;
  /** The recommendation weights per urgency (CARE_ROUTING_WEIGHTS over the defaults). */
  weights: RecommendationWeights;
}

/** Care routing's request context. */
export interface CareRoutingContext extends AccessContext {
  /** Reads rows with their patients' access facts in one statement (facts primed for the kernel). */
  withFacts: WithFacts;
  loaders: CareRoutingLoaders;
  services: CareRoutingServices;
}

/** A fresh context per request. */
export function createCareRoutingContext(
  base: RequestContext,
  services: CareRoutingServices,
): CareRoutingContext {
  const ctx = {
    ...base,
    services,
    ...projectedAccess(base, services.accessFactsMaxLagMs),
  } as CareRoutingContext;
  ctx.loaders = createLoaders(ctx);
  return ctx;
}
