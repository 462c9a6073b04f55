import type { FieldCipher } from '../../platform/crypto/index.js';
import { projectedAccess, type AccessContext, type WithFacts } from '../../platform/authz/index.js';
import type { RequestContext } from '../../platform/federation/context.js';
import { createLoaders, type PharmacyLoaders } from './loaders.js';

/** Long-lived services pharmacy's resolvers and jobs share. */
export interface PharmacyServices {
  cipher: FieldCipher;
  /** `ACCESS_FACTS_MAX_LAG_MS`: PHI is refused when the access facts may lag more. */
  accessFactsMaxLagMs: number;
  /** Lots expiring within this many days raise an alert (PHARMACY_NEAR_EXPIRY_DAYS). */
  nearExpiryDays: number;
}

/** Pharmacy's request context. */
export interface PharmacyContext extends AccessContext {
  /** Reads rows with their patients' access facts in one statement (facts primed for the kernel). */
  withFacts: WithFacts;
  loaders: PharmacyLoaders;
  services: PharmacyServices;
}

/** A fresh context per request. */
export function createPharmacyContext(
  base: RequestContext,
  services: PharmacyServices,
): PharmacyContext {
  const ctx = {
    ...base,
    services,
    ...projectedAccess(base, services.accessFactsMaxLagMs),
  } as PharmacyContext;
  ctx.loaders = createLoaders(ctx);
  return ctx;
}
