import { ConsentProjection } from '../authz/access-facts/entities.js';
import { consentRecordOf, evaluateConsent } from '../authz/consent.js';
import { appendAudit } from '../audit/writer.js';
import type { EventHandler } from '../events/consumer.js';
import { enqueueDelivery } from './queue.js';
import type { WebhookSpec } from './spec.js';

interface Candidate {
  id: string;
  client_id: string;
}

/**
 * Every event of the spec's types → one delivery row per active subscription that
 * asked for its type (and, for a subscription made in a patient's context,
 * is about that patient), each with its POST job, in the event delivery's
 * transaction: the inbox makes this happen once per event. A disclosure to a
 * partner app is PHI leaving: the patient's consent (the subgraph's consent
 * projection, so a subgraph offering webhooks keeps the access facts) decides
 * it for the app as actor, and each disclosure or refusal is audited as an
 * export of the spec's data class, naming the event's aggregate. Events about
 * a patient carry `patientId` in their data.
 */
export function fanOutWebhooks(w: WebhookSpec, maxAttempts: number): EventHandler {
  return async (event, em) => {
    const data = event.data as { patientId?: unknown };
    const patientId = typeof data.patientId === 'string' ? data.patientId : null;
    const candidates = await em.execute<Candidate[]>(
      `SELECT s.id, s.client_id FROM webhook_subscription s
        WHERE s.active AND s.event_types @> jsonb_build_array(?::text)
          AND (s.patient_id IS NULL OR s.patient_id = ?)`,
      [event.type, patientId],
    );
    if (candidates.length === 0) return;
    const consents = patientId
      ? (await em.find(ConsentProjection, { patientId })).map(consentRecordOf)
      : [];
    const at = new Date();
    const decided = candidates.map((c) => ({
      ...c,
      permitted:
        evaluateConsent(consents, {
          actor: { clientId: c.client_id, roles: ['partner'], sub: `client:${c.client_id}` },
          purpose: 'HOPERAT',
          dataClass: w.dataClass,
          at,
        }).decision === 'permit',
    }));
    await appendAudit(
      em,
      decided.map((c) => ({
        actor: { sub: `client:${c.client_id}`, roles: ['partner'], clientId: c.client_id },
        patientId: patientId ?? undefined,
        resourceType: w.dataClass,
        resourceId: event.aggregateId,
        action: 'export' as const,
        purpose: 'HOPERAT',
        outcome: c.permitted ? ('permit' as const) : ('deny' as const),
        reason: c.permitted ? `webhook:${event.type}` : 'denied:consent',
        requestId: `event:${event.id}`,
        occurredAt: at,
      })),
    );
    for (const c of decided.filter((d) => d.permitted)) {
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
