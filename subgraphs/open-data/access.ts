import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccessEvent } from '../../platform/audit/request-audit.js';
import { recordAccess } from '../../platform/audit/request-audit.js';
import { agreementRequired } from '../../platform/errors/index.js';
import type { OpenDataContext } from './context.js';
import { currentAgreement, hasAcceptedCurrent } from './store/privacy-budget.js';

/** The resource type research access is audited as (no patient is named: none is reachable). */
export const RESEARCH_DATA = 'ResearchData';

/** Research access as the audit log records it: no patient id, the purpose of the caller's token. */
export function researchEvent(
  ctx: OpenDataContext,
  action: AccessEvent['action'],
  outcome: AccessEvent['outcome'],
  reason: string,
  resourceId?: string,
): AccessEvent {
  return {
    resourceType: RESEARCH_DATA,
    resourceId,
    action,
    purpose: ctx.principal.purposeOfUse,
    outcome,
    reason,
  };
}

/** Who a researcher is in the ledger and the acceptances: the token's subject. */
export const researcherOf = (ctx: OpenDataContext): string => ctx.principal.sub;

/**
 * A researcher must have accepted the current data use agreement; anyone
 * else the shield let through (an administrator) needs none. A refusal is
 * audited and answers AGREEMENT_REQUIRED with the version to accept.
 */
export async function requireAgreement(
  ctx: OpenDataContext,
  em: EntityManager,
  action: AccessEvent['action'],
): Promise<void> {
  if (!ctx.principal.roles.includes('researcher')) return;
  if (await hasAcceptedCurrent(em, researcherOf(ctx))) return;
  const current = await currentAgreement(em);
  await recordAccess(ctx, [researchEvent(ctx, action, 'deny', 'denied:agreement')]);
  throw agreementRequired(
    'Accept the current data use agreement (acceptDataUseAgreement) before using research data',
    { version: current?.version ?? null },
  );
}
