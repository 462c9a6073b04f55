import type { EntityManager } from '@mikro-orm/postgresql';
import type { PatientAccessDecision } from '../../../platform/authz/index.js';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { billingEvent, type BillingData, type BillingSubject } from '../access.js';
import type { BillingContext } from '../context.js';

/** What a write produced: the record's id, whether it replays an earlier request, and the answer. */
export interface WriteOutcome<T> {
  id: string;
  replayed: boolean;
  result: T;
}

/**
 * Runs an authorised write and its audit entry in one transaction: both
 * commit or neither. A replayed idempotent write is audited as a read of
 * what the first one produced.
 */
export async function auditedWrite<T>(
  ctx: BillingContext,
  access: {
    decision: PatientAccessDecision;
    subject: BillingSubject;
    data: BillingData;
    action: 'create' | 'update';
  },
  write: (em: EntityManager) => Promise<WriteOutcome<T>>,
): Promise<T> {
  return ctx.em.transactional(async (em) => {
    const out = await write(em);
    await recordAccess({ ...ctx, em }, [
      billingEvent(
        access.subject,
        access.decision,
        access.data,
        out.replayed ? 'read' : access.action,
        out.id,
      ),
    ]);
    return out.result;
  });
}
