import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldContext } from '../crypto/index.js';
import { enqueueJob } from '../events/jobs.js';
import { WORKER_SCHEMA } from '../events/schema-sql.js';
import { deliverTaskOf, type WebhookSpec } from './spec.js';

/** Tries per delivery by default before it is marked failed (about half an hour of backoff). */
export const DEFAULT_WEBHOOK_MAX_ATTEMPTS = 8;

/** Where a subscription's secret is bound: its ciphertext opens only in this row. */
export const secretField = (
  w: Pick<WebhookSpec, 'schema'>,
  subscriptionId: string,
): FieldContext => ({
  table: `${w.schema}.webhook_subscription`,
  column: 'secret',
  rowId: subscriptionId,
});

/**
 * Queues (or re-queues) the POST of one delivery in the caller's transaction.
 * The job key is the delivery id: a waiting retry is replaced, attempts reset.
 */
export function enqueueDelivery(
  em: EntityManager,
  w: Pick<WebhookSpec, 'subgraph'>,
  deliveryId: string,
  maxAttempts: number,
): Promise<void> {
  return enqueueJob(em, {
    task: deliverTaskOf(w),
    payload: { deliveryId },
    jobKey: deliveryId,
    maxAttempts,
  });
}

/**
 * Takes the waiting jobs of these deliveries off the queue (a job that is
 * running is left to find its delivery settled and end). Caller's transaction.
 */
export async function dequeueDeliveries(em: EntityManager, deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await em.execute(
    `DELETE FROM ${WORKER_SCHEMA}._private_jobs
      WHERE key IN (SELECT json_array_elements_text(?::json)) AND locked_at IS NULL`,
    [JSON.stringify(deliveryIds)],
  );
}
