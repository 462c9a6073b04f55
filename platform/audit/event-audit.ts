import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventEnvelope } from '../events/envelope.js';
import type { AuditActor } from './entry.js';
import type { AccessEvent } from './request-audit.js';
import { appendAudit } from './writer.js';

/** Who a subgraph's event consumers act as in the audit log. */
export const systemActor = (subgraph: string): AuditActor => ({
  sub: `system:${subgraph}`,
  roles: ['system'],
  clientId: `carefed-${subgraph}`,
});

/**
 * Audits what a consumer did to patient data because of `event`, in the
 * delivery's own transaction (so the effect and its audit commit together):
 * the subgraph's system actor, the request id `event:<id>` and a reason that
 * names the event's type and id.
 */
export async function recordEventEffects(
  em: EntityManager,
  subgraph: string,
  event: EventEnvelope,
  effects: readonly Omit<AccessEvent, 'reason'>[],
): Promise<void> {
  if (!effects.length) return;
  const actor = systemActor(subgraph);
  await appendAudit(
    em,
    effects.map((e) => ({
      ...e,
      actor,
      reason: `event:${event.type}:${event.id}`,
      requestId: `event:${event.id}`,
    })),
  );
}
