import type { Config } from '../../platform/config/index.js';
import { parseBillingPolicy, type BillingPolicy } from './domain/charge-policy.js';

/** The billing policy the configuration sets (BILLING_VISIT_CODES, BILLING_NO_SHOW_FEE). */
export function billingPolicy(
  config: Pick<Config, 'BILLING_VISIT_CODES' | 'BILLING_NO_SHOW_FEE'>,
): BillingPolicy {
  return parseBillingPolicy(config.BILLING_VISIT_CODES, config.BILLING_NO_SHOW_FEE);
}
