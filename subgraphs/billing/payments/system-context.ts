import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { DecisionFacts } from '../../../platform/audit/request-audit.js';
import type { RequestContext } from '../../../platform/federation/context.js';

/**
 * The context of a write no user asked for (a provider's signed callback, an
 * intent's expiry), so that it runs through `auditedWrite` like any other:
 * the actor is the provider or billing itself, purpose payment.
 */
export function systemContext(
  em: EntityManager,
  log: Logger,
  actor: string,
  requestId: string,
  ip?: string,
): RequestContext {
  return {
    principal: { sub: actor, roles: [], scopes: [], clientId: actor, purposeOfUse: 'HPAYMT' },
    requestId,
    ...(ip ? { ip } : {}),
    em,
    log: log.child({ requestId }),
    now: new Date(),
  };
}

/** How such a write was authorised: a verified provider signature, or billing's own schedule. */
export const systemDecision = (reason: string): DecisionFacts => ({
  allowed: true,
  emergency: false,
  purpose: 'HPAYMT',
  reason,
});
