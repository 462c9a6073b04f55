import type { EntityManager } from '@mikro-orm/postgresql';
import type { PatientAccessDecision } from '../authz/decide.js';
import { appendAudit } from '../audit/writer.js';
import type { SubscriberActor } from './actor.js';
import { disclosureAudit } from './disclosure.js';
import { dequeueDeliveries } from './queue.js';
import type { WebhookSpec } from './spec.js';

/** What a dropped delivery's `last_error` says (a code, never PHI). */
export const droppedReason = (d: PatientAccessDecision): string =>
  `dropped: access refused (${d.reason})`;

/** One subscription's refusal for one patient, decided now. */
export interface Refusal {
  subscriptionId: string;
  actor: SubscriberActor;
  patientId: string;
  decision: PatientAccessDecision;
  requestId: string;
  at: Date;
}

/**
 * Drops every pending delivery of one subscription about one patient once
 * access is refused (a consent deny, a narrower scope): marked `dropped` with
 * the reason, their waiting jobs taken off the queue, each refusal audited.
 * The same decision holds for all of them (same actor, patient and data
 * class). Runs in the caller's transaction; returns the dropped ids.
 */
export async function dropRefused(
  em: EntityManager,
  w: Pick<WebhookSpec, 'dataClass'>,
  r: Refusal,
): Promise<string[]> {
  const rows = await em.execute<{ id: string; aggregate_id: string }[]>(
    `UPDATE webhook_delivery d SET status = 'dropped', last_error = ?
       FROM outbox o
      WHERE d.subscription_id = ? AND d.status = 'pending'
        AND o.id = d.event_id AND o.payload ->> 'patientId' = ?
      RETURNING d.id, o.aggregate_id`,
    [droppedReason(r.decision), r.subscriptionId, r.patientId],
  );
  await dequeueDeliveries(
    em,
    rows.map((row) => row.id),
  );
  await appendAudit(
    em,
    rows.map((row) =>
      disclosureAudit(w, {
        actor: r.actor,
        decision: r.decision,
        patientId: r.patientId,
        resourceId: row.aggregate_id,
        permitReason: '',
        requestId: r.requestId,
        at: r.at,
      }),
    ),
  );
  return rows.map((row) => row.id);
}
