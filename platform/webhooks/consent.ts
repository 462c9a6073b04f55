import { projectConsent } from '../authz/access-facts/project.js';
import { CONSENT_CHANGED } from '../authz/access-facts/events.js';
import { handleEvents, on } from '../events/contract.js';
import type { EventHandler } from '../events/consumer.js';
import { actorOf } from './actor.js';
import { disclosureDecider } from './disclosure.js';
import { dropRefused } from './drop.js';
import type { WebhookSpec } from './spec.js';

interface Pending {
  id: string;
  client_id: string;
  patient_id: string | null;
  actor: unknown;
}

/** The consumer task of `consent.changed` that drops a subgraph's refused webhook deliveries. */
export const consentTaskOf = (w: Pick<WebhookSpec, 'subgraph'>): string =>
  `${w.subgraph}:webhook-consent`;

/**
 * On `consent.changed`, decides again every subscription with pending
 * deliveries about that patient, and drops those now refused (`dropRefused`),
 * so a deny empties the queue at once instead of at each delivery's next
 * attempt (which decides again anyway: that is the guarantee). The consent
 * is first applied to the subgraph's projection (idempotent, newest state
 * wins), so the decision sees it whichever consumer of the event runs first.
 */
export function dropOnConsentChange(w: WebhookSpec): EventHandler {
  return handleEvents([
    on(CONSENT_CHANGED, async (d, e, em) => {
      await projectConsent(d, e.occurredAt, em);
      const subscriptions = await em.execute<Pending[]>(
        `SELECT s.id, s.client_id, s.patient_id, s.actor FROM webhook_subscription s
          WHERE EXISTS (SELECT 1 FROM webhook_delivery d JOIN outbox o ON o.id = d.event_id
                         WHERE d.subscription_id = s.id AND d.status = 'pending'
                           AND o.payload ->> 'patientId' = ?)`,
        [d.patientId],
      );
      const at = new Date();
      const decide = disclosureDecider(em, w, at);
      for (const s of subscriptions) {
        const actor = actorOf(s);
        const decision = await decide(actor, d.patientId);
        if (decision.allowed) continue;
        await dropRefused(em, w, {
          subscriptionId: s.id,
          actor,
          patientId: d.patientId,
          decision,
          requestId: `event:${e.id}`,
          at,
        });
      }
    }),
  ]);
}
