import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/writer.js';
import { scopeContexts } from '../authz/decide.js';
import { parseScopes, scopeAllows } from '../authz/scopes.js';
import { badInput, conflict, forbidden } from '../errors/index.js';
import { decodeKeyset, instantKey, keysetCursor } from '../federation/keyset.js';
import { actorOf, storedActor } from './actor.js';
import { disclosureAudit, disclosureDecider, patientOf } from './disclosure.js';
import { dropRefused } from './drop.js';
import { enqueueDelivery, secretField } from './queue.js';
import { newWebhookSecret } from './signature.js';
import { resolvesToPublicAddresses } from '../http/public-address.js';
import { checkWebhookUrl } from './url.js';
import {
  toDelivery,
  toSubscription,
  type DeliveryRow,
  type SubscriptionRow,
  type WebhookDeliveryView,
  type WebhookSubscriptionView,
} from './rows.js';
import type { WebhookContext, WebhookSpec } from './spec.js';

const MAX_ACTIVE = 20;
export const NO_DELIVERY = 'Not permitted to replay this delivery, or it does not exist';

function checkEventTypes(w: WebhookSpec, types: string[]): string[] {
  const unique = [...new Set(types)];
  if (unique.length === 0) throw badInput('eventTypes must name at least one event', 'eventTypes');
  const unknown = unique.filter((t) => !w.eventTypes.includes(t));
  if (unknown.length > 0)
    throw badInput(`eventTypes may be: ${w.eventTypes.join(', ')}`, 'eventTypes');
  return unique;
}

/**
 * Subscribes the caller's client app to event types at a URL. The secret is
 * stored encrypted, bound to its row, and returned only now. A caller in a
 * patient's context gets that patient's events only.
 */
export async function subscribe(
  w: WebhookSpec,
  ctx: WebhookContext,
  rawUrl: string,
  rawTypes: string[],
) {
  const url = checkWebhookUrl(rawUrl, ctx.services.production);
  const p = ctx.principal;
  // Deliveries disclose the spec's data class: an app that may not read it may not subscribe.
  const contexts = scopeContexts(p);
  if (!scopeAllows(parseScopes(p.scopes), { resourceType: w.dataClass, permission: 'r', contexts }))
    throw forbidden(`Webhooks carry ${w.dataClass} data: the app needs a scope that reads it`);
  if (ctx.services.production && !(await resolvesToPublicAddresses(new URL(url).hostname)))
    throw badInput('url must resolve to public internet addresses', 'url');
  const types = checkEventTypes(w, rawTypes);
  const { clientId, patientId } = p;
  const id = randomUUID();
  const secret = newWebhookSecret();
  await ctx.em.transactional(async (em) => {
    // Serialises one client's subscribes, so the cap holds under concurrency.
    await em.execute('SELECT pg_advisory_xact_lock(hashtext(?))', [`webhooks:${clientId}`]);
    const [row] = await em.execute<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM webhook_subscription WHERE client_id = ? AND active',
      [clientId],
    );
    if ((row?.n ?? 0) >= MAX_ACTIVE)
      throw conflict(`At most ${MAX_ACTIVE} active subscriptions per app`);
    await em.execute(
      `INSERT INTO webhook_subscription (id, client_id, patient_id, url, secret, event_types, actor)
       VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)`,
      [
        id,
        clientId,
        patientId ?? null,
        url,
        await ctx.services.cipher.encrypt(em, secret, secretField(w, id)),
        JSON.stringify(types),
        storedActor(p),
      ],
    );
  });
  return { id, secret };
}

const SUB_COLUMNS = 'id, url, event_types, patient_id, active, created_at';

/** The caller's app's subscriptions, oldest first. */
export async function listSubscriptions(ctx: WebhookContext): Promise<WebhookSubscriptionView[]> {
  const rows = await ctx.em.execute<SubscriptionRow[]>(
    `SELECT ${SUB_COLUMNS} FROM webhook_subscription WHERE client_id = ?
     ORDER BY created_at, id LIMIT 100`,
    [ctx.principal.clientId],
  );
  return rows.map(toSubscription);
}

/** Stops deliveries to one of the caller's app's subscriptions. */
export async function unsubscribe(ctx: WebhookContext, id: string) {
  const [row] = await ctx.em.execute<SubscriptionRow[]>(
    `UPDATE webhook_subscription SET active = false WHERE id = ? AND client_id = ?
     RETURNING ${SUB_COLUMNS}`,
    [id, ctx.principal.clientId],
  );
  if (!row) throw forbidden('Not permitted to change this subscription, or it does not exist');
  return toSubscription(row);
}

const DELIVERY_COLUMNS = `d.id, d.subscription_id, d.event_id, d.event_type, d.status, d.attempts,
  d.last_status, d.last_error, d.created_at, d.delivered_at, ${instantKey('d.created_at')} AS created_key`;

/** The cursor kind of the delivery list. */
const DELIVERIES = 'webhook-delivery';

/** The caller's app's deliveries, newest first. */
export async function listDeliveries(ctx: WebhookContext, first: number, after?: string | null) {
  const params: unknown[] = [ctx.principal.clientId];
  let page = '';
  const cursor = decodeKeyset(DELIVERIES, after);
  if (cursor) {
    page = 'AND (d.created_at, d.id) < (?::timestamptz, ?::uuid)';
    params.push(cursor.at, cursor.id);
  }
  const rows = await ctx.em.execute<DeliveryRow[]>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_delivery d
     JOIN webhook_subscription s ON s.id = d.subscription_id
     WHERE s.client_id = ? ${page}
     ORDER BY d.created_at DESC, d.id DESC LIMIT ?`,
    [...params, first + 1],
  );
  const edges = rows.slice(0, first).map((r) => ({
    cursor: keysetCursor(DELIVERIES, r.created_key, r.id),
    node: toDelivery(r),
  }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

interface ReplayRow {
  subscription_id: string;
  client_id: string;
  patient_id: string | null;
  actor: unknown;
  type: string | null;
  aggregate_id: string | null;
  payload: unknown;
}

/** A refused replay: nothing is sent, and the caller is told why in general terms. */
export const REPLAY_REFUSED =
  'Access to this delivery’s data is no longer permitted (consent or scope); it was not sent';

/**
 * Sends one of the caller's app's deliveries again, whatever became of it, as
 * a new attempt. A replay is a new disclosure: the kernel decides it for the
 * subscription's actor now (and the attempt decides again). Refused, it sends
 * nothing, drops the subscription's pending deliveries about that patient and
 * audits the refusal; permitted, it is audited as a replayed export.
 */
export async function replay(
  w: WebhookSpec,
  ctx: WebhookContext,
  id: string,
): Promise<WebhookDeliveryView> {
  const done = await ctx.em.transactional(async (em) => {
    const [row] = await em.execute<ReplayRow[]>(
      `SELECT d.subscription_id, s.client_id, s.patient_id, s.actor, o.type, o.aggregate_id, o.payload
         FROM webhook_delivery d
         JOIN webhook_subscription s ON s.id = d.subscription_id
         LEFT JOIN outbox o ON o.id = d.event_id
        WHERE d.id = ? AND s.client_id = ? AND s.active
        FOR UPDATE OF d`,
      [id, ctx.principal.clientId],
    );
    if (!row) throw forbidden(NO_DELIVERY);
    const at = new Date();
    const actor = actorOf(row);
    const patientId = patientOf(row.payload);
    const decision = await disclosureDecider(em, w, at)(actor, patientId);
    const audit = disclosureAudit(w, {
      actor,
      decision,
      patientId,
      resourceId: row.aggregate_id ?? id,
      permitReason: `webhook-replay:${row.type ?? 'unknown'}`,
      requestId: ctx.requestId,
      at,
    });
    if (!decision.allowed && patientId !== null) {
      const dropped = await dropRefused(em, w, {
        subscriptionId: row.subscription_id,
        actor,
        patientId,
        decision,
        requestId: ctx.requestId,
        at,
      });
      if (!dropped.includes(id)) await appendAudit(em, [audit]);
      return null;
    }
    const [updated] = await em.execute<DeliveryRow[]>(
      `UPDATE webhook_delivery d SET status = 'pending' WHERE d.id = ? RETURNING ${DELIVERY_COLUMNS}`,
      [id],
    );
    await enqueueDelivery(em, w, id, ctx.services.webhookMaxAttempts);
    if (row.type) await appendAudit(em, [audit]);
    return toDelivery(updated!);
  });
  if (!done) throw forbidden(REPLAY_REFUSED);
  return done;
}
