import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { FieldCipher } from '../crypto/index.js';
import type { JobHandler, JobInfo } from '../events/jobs.js';
import { resolveChecked } from '../http/public-address.js';
import { actorOf } from './actor.js';
import { disclosureDecider, patientOf } from './disclosure.js';
import { dropRefused } from './drop.js';
import { post, type PostOutcome } from './post.js';
import { secretField } from './queue.js';
import type { WebhookSpec } from './spec.js';
import { signatureHeader } from './signature.js';
import { checkWebhookUrl } from './url.js';

export interface DeliverDeps {
  webhooks: WebhookSpec;
  cipher: FieldCipher;
  production: boolean;
  log: Logger;
  /** Milliseconds a POST may take (default 5000). */
  timeoutMs?: number;
}

interface Row {
  id: string;
  status: string;
  subscription_id: string;
  client_id: string;
  patient_id: string | null;
  actor: unknown;
  url: string;
  secret: string;
  active: boolean;
  event_id: string;
  type: string | null;
  aggregate_id: string;
  payload: unknown;
  occurred_at: string;
}

const LOAD = `
  SELECT d.id, d.status, d.subscription_id, s.client_id, s.patient_id, s.actor,
         s.url, s.secret, s.active, d.event_id,
         o.type, o.aggregate_id, o.payload,
         to_char(o.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at
  FROM webhook_delivery d
  JOIN webhook_subscription s ON s.id = d.subscription_id
  LEFT JOIN outbox o ON o.id = d.event_id
  WHERE d.id = ?`;

async function record(em: EntityManager, id: string, o: PostOutcome, last: boolean) {
  const status = o.ok ? 'delivered' : last ? 'failed' : 'pending';
  await em.execute(
    `UPDATE webhook_delivery SET attempts = attempts + 1, last_status = ?, last_error = ?,
       status = ?, delivered_at = CASE WHEN ? = 'delivered' THEN now() ELSE delivered_at END
     WHERE id = ?`,
    [o.status, o.error, status, status, id],
  );
}

/**
 * Decides the disclosure again, now, in a transaction: when the subscriber's
 * access is refused (the patient denied the app since, say), this delivery
 * and every other pending one of the subscription about that patient are
 * dropped, and nothing is sent.
 */
async function droppedNow(deps: DeliverDeps, em: EntityManager, d: Row): Promise<boolean> {
  const patientId = patientOf(d.payload);
  if (patientId === null) return false;
  return em.transactional(async (tx) => {
    const at = new Date();
    const actor = actorOf(d);
    const decision = await disclosureDecider(tx, deps.webhooks, at)(actor, patientId);
    if (decision.allowed) return false;
    await dropRefused(tx, deps.webhooks, {
      subscriptionId: d.subscription_id,
      actor,
      patientId,
      decision,
      requestId: `webhook-delivery:${d.id}`,
      at,
    });
    return true;
  });
}

/** The POST of one delivery: signed body, outcome logged on the row. */
async function attempt(deps: DeliverDeps, em: EntityManager, d: Row): Promise<PostOutcome> {
  if (!d.active) return { ok: false, status: null, error: 'subscription inactive', final: true };
  if (!d.type) return { ok: false, status: null, error: 'event no longer stored', final: true };
  let url: string;
  try {
    url = checkWebhookUrl(d.url, deps.production);
  } catch {
    return { ok: false, status: null, error: 'url not allowed', final: true };
  }
  // Resolved once per attempt, every address checked, and the POST pinned to them:
  // a name that now points inside our network (or rebinds after the check) is refused.
  const addresses = await resolveChecked(new URL(url).hostname, deps.production);
  if (!addresses)
    return {
      ok: false,
      status: null,
      error: deps.production ? 'url resolves to a non-public address' : 'url does not resolve',
      final: false,
    };
  const secret = await deps.cipher.decrypt(
    em,
    d.secret,
    secretField(deps.webhooks, d.subscription_id),
  );
  const event = {
    id: d.event_id,
    type: d.type,
    aggregateId: d.aggregate_id,
    occurredAt: d.occurred_at,
    data: d.payload,
  };
  const body = JSON.stringify({ id: d.id, event });
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Carefed-Webhooks/1',
    'carefed-signature': signatureHeader(secret, body, new Date()),
    'carefed-delivery-id': d.id,
    'carefed-event-type': d.type,
  };
  return post(url, addresses, body, headers, deps.timeoutMs ?? 5000);
}

/**
 * Delivers one webhook when its job runs. Each attempt first decides the
 * disclosure again for the subscriber's actor (a refusal drops it, sending
 * nothing), then resolves the endpoint once and POSTs to the checked
 * addresses. A 2xx answer marks it delivered;
 * anything else is logged on the row and thrown, so graphile-worker retries
 * with exponential backoff, until the last attempt marks it failed. At least
 * once: a crash after the POST repeats it, and partners deduplicate on
 * `carefed-delivery-id`. Job runs of a settled delivery do nothing.
 */
export function deliverWebhook(deps: DeliverDeps): JobHandler {
  const log = deps.log.child({ component: 'webhooks' });
  return async (payload: unknown, job: JobInfo, em: EntityManager) => {
    const id = (payload as { deliveryId?: unknown } | null)?.deliveryId;
    if (typeof id !== 'string') throw new TypeError('deliveryId is missing');
    const [d] = await em.execute<Row[]>(LOAD, [id]);
    if (!d || d.status !== 'pending') return;
    if (d.active && d.type && (await droppedNow(deps, em, d)))
      return void log.info({ deliveryId: id, eventType: d.type }, 'webhook delivery dropped');
    const outcome = await attempt(deps, em, d);
    const last = outcome.final === true || job.attempts >= job.maxAttempts;
    await record(em, id, outcome, last);
    const meta = { deliveryId: id, eventType: d.type, attempt: job.attempts };
    if (outcome.ok) return void log.info({ ...meta, status: outcome.status }, 'webhook delivered');
    log.warn({ ...meta, error: outcome.error, last }, 'webhook delivery failed');
    if (!last) throw new Error(`Webhook delivery ${id} failed (${outcome.error}); will retry`);
  };
}
