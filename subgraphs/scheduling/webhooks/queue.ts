import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldContext } from '../../../platform/crypto/index.js';
import { enqueueJob } from '../../../platform/events/jobs.js';

/** The job that POSTs one delivery to its subscriber. */
export const WEBHOOK_DELIVER_TASK = 'scheduling:webhook-deliver';
/** Tries per delivery by default before it is marked failed (about half an hour of backoff). */
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 8;

/** Where a subscription's secret is bound: its ciphertext opens only in this row. */
export const secretField = (subscriptionId: string): FieldContext => ({
  table: 'scheduling.webhook_subscription',
  column: 'secret',
  rowId: subscriptionId,
});

/**
 * Queues (or re-queues) the POST of one delivery in the caller's transaction.
 * The job key is the delivery id: a waiting retry is replaced, attempts reset.
 */
export function enqueueDelivery(
  em: EntityManager,
  deliveryId: string,
  maxAttempts: number,
): Promise<void> {
  return enqueueJob(em, {
    task: WEBHOOK_DELIVER_TASK,
    payload: { deliveryId },
    jobKey: deliveryId,
    maxAttempts,
  });
}
