import type { FieldCipher } from '../../platform/crypto/index.js';
import { projectedAccess, type AccessContext, type WithFacts } from '../../platform/authz/index.js';
import type { RequestContext } from '../../platform/federation/context.js';
import type { BillingPolicy } from './domain/charge-policy.js';
import type { PaymentProvider } from '../../platform/payments/provider.js';
import type { IntentPolicy } from './store/payment-intents.js';
import { createLoaders, type BillingLoaders } from './loaders.js';

/** Long-lived services the billing subgraph's resolvers share. */
export interface BillingServices {
  cipher: FieldCipher;
  /** Currency of patient accounts, charge codes and the no-show fee. */
  policy: BillingPolicy;
  /** `ACCESS_FACTS_MAX_LAG_MS`: PHI is refused when the access facts may lag more. */
  accessFactsMaxLagMs: number;

  /** How patients pay: the provider (null when none is configured) and the intent policy. */
  payments: { provider: PaymentProvider | null; policy: IntentPolicy };
}

/** The billing subgraph's request context. */
export interface BillingContext extends AccessContext {
  /** Reads rows with their patients' access facts in one statement (facts primed for the kernel). */
  withFacts: WithFacts;
  loaders: BillingLoaders;
  services: BillingServices;
}

/** A fresh context per request. */
export function createBillingContext(
  base: RequestContext,
  services: BillingServices,
): BillingContext {
  return {
    ...base,
    services,
    loaders: createLoaders(base.em),
    ...projectedAccess(base, services.accessFactsMaxLagMs),
  };
}
