import { appendAudit } from '../audit/writer.js';
import type { EventHandler } from '../events/consumer.js';
import { actorOf } from './actor.js';
import { disclosureAudit, disclosureDecider, patientOf } from './disclosure.js';
import { enqueueDelivery } from './queue.js';
import type { WebhookSpec } from './spec.js';

interface Candidate {
  id: string;
  client_id: string;
  patient_id: string | null;
  actor: unknown;
}

/**
 * Every event of the spec's types → one delivery row per active subscription that
 * asked for its type (and, for a subscription made in a patient's context,
 * is about that patient), each with its POST job, in the event delivery's
 * transaction: the inbox makes this happen once per event. A disclosure to a
 * partner app is PHI leaving: the kernel decides it for the subscriber's
 * stored actor (`disclosureDecider`; decided again at every attempt and
 * replay), and each disclosure or refusal is audited as an export of the
 * spec's data class, naming the event's aggregate.
 */
export function fanOutWebhooks(w: WebhookSpec, maxAttempts: number): EventHandler {
  return async (event, em) => {
    const patientId = patientOf(event.data);
    const candidates = await em.execute<Candidate[]>(
      `SELECT s.id, s.client_id, s.patient_id, s.actor FROM webhook_subscription s
        WHERE s.active AND s.event_types @> jsonb_build_array(?::text)
          AND (s.patient_id IS NULL OR s.patient_id = ?)`,
      [event.type, patientId],
    );
    if (candidates.length === 0) return;
    const at = new Date();
    const decide = disclosureDecider(em, w, at);
    // Together, so the kernel's loader reads the patient's facts once for all of them.
    const decided = await Promise.all(
      candidates.map(async (c) => {
        const actor = actorOf(c);
        return { id: c.id, actor, decision: await decide(actor, patientId) };
      }),
    );
    await appendAudit(
      em,
      decided.map((c) =>
        disclosureAudit(w, {
          ...c,
          patientId,
          resourceId: event.aggregateId,
          permitReason: `webhook:${event.type}`,
          requestId: `event:${event.id}`,
          at,
        }),
      ),
    );
    for (const c of decided.filter((d) => d.decision.allowed)) {
      const rows = await em.execute<{ id: string }[]>(
        `INSERT INTO webhook_delivery (id, subscription_id, event_id, event_type)
         VALUES (gen_random_uuid(), ?, ?, ?)
         ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING id`,
        [c.id, event.id, event.type],
      );
      for (const { id } of rows) await enqueueDelivery(em, w, id, maxAttempts);
    }
  };
}
