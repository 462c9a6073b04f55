import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import type { JobHandler } from '../../../platform/events/jobs.js';
import { expireIntent, intentById } from '../store/payment-intents.js';
import { systemContext, systemDecision } from './system-context.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The job that expires an intent the provider never confirmed: queued for
 * its expiry time when it is created; an intent already final is left alone.
 * The expiry is audited as billing's own update of the account (nothing posts).
 */
export function expireIntentJob(log: Logger): JobHandler {
  return async (payload: unknown, _job, em: EntityManager) => {
    const intentId = (payload as { intentId?: unknown } | null)?.intentId;
    if (typeof intentId !== 'string' || !UUID.test(intentId)) {
      log.error('payment intent expiry job without an intent id');
      return;
    }
    const intent = await intentById(em, intentId);
    if (!intent || intent.final) return;
    if (intent.status === 'pending') throw new Error('payment intent not yet due');
    const ctx = systemContext(em.fork(), log, 'system:billing', `expire:${intentId}`);
    await auditedWrite(
      ctx,
      {
        decision: systemDecision('intent-expiry'),
        patientId: intent.patientId,
        dataClass: 'Account',
        action: 'update',
        reason: 'payment-intent-expired',
      },
      async (tem) => {
        await expireIntent(tem, intentId);
        return { id: intentId, result: null };
      },
    );
  };
}
