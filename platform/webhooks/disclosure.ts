import { DEFAULT_MAX_LAG_MS } from '../authz/access-facts/watermark.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditEntryInput } from '../audit/entry.js';
import { projectedAccessFacts, type AccessFactsLoader } from '../authz/access-facts/facts.js';
import { decidePatientAccess, type PatientAccessDecision } from '../authz/decide.js';
import type { SubscriberActor } from './actor.js';
import type { WebhookSpec } from './spec.js';

/** Decides whether one event about `patientId` (null: about no patient) may go to `actor`. */
export type DisclosureDecider = (
  actor: SubscriberActor,
  patientId: string | null,
) => Promise<PatientAccessDecision>;

/**
 * The decision of each delivery, fan-out, attempt and replay alike: a
 * disclosure to a partner app is a read of the spec's data class by the
 * subscriber's actor (client, organisation, roles, scopes, patient context,
 * purpose of use), decided by the kernel against the subgraph's projected
 * access facts as they stand now. Break-the-glass never applies: a webhook
 * is not emergency care. One decider per job or event; it batches by
 * practitioner (the only part of the facts that depends on the caller).
 */
let maxLagMs = DEFAULT_MAX_LAG_MS;

/**
 * The freshness bound deliveries are decided under: the serving subgraph's
 * own `ACCESS_FACTS_MAX_LAG_MS` (set once when its store opens). A stale
 * projection refuses the attempt, which is retried.
 */
export function setDisclosureMaxLag(ms: number): void {
  maxLagMs = ms;
}

export function disclosureDecider(
  em: EntityManager,
  w: Pick<WebhookSpec, 'dataClass'>,
  now: Date,
): DisclosureDecider {
  const loaders = new Map<string, AccessFactsLoader>();
  return async (actor, patientId) => {
    if (patientId === null)
      return { allowed: true, emergency: false, purpose: actor.purposeOfUse, reason: 'ok' };
    const key = actor.practitionerId ?? '';
    let loader = loaders.get(key);
    if (!loader) loaders.set(key, (loader = projectedAccessFacts(em, actor, now, { maxLagMs })));
    const facts = await loader.load(patientId);
    return decidePatientAccess({
      principal: actor,
      patientId,
      dataClass: w.dataClass,
      permission: 'r',
      careTeam: facts.onCareTeam,
      consents: facts.consents,
      now,
      roleAllows: true,
    });
  };
}

/** The patient an event is about: events about a patient carry `patientId` in their data. */
export function patientOf(data: unknown): string | null {
  const id = (data as { patientId?: unknown } | null)?.patientId;
  return typeof id === 'string' ? id : null;
}

/** What one decided disclosure is audited as: an export of the spec's data class. */
export interface DisclosureRecord {
  actor: SubscriberActor;
  decision: PatientAccessDecision;
  patientId: string | null;
  /** The event's aggregate (e.g. the appointment). */
  resourceId: string;
  /** `webhook:<type>` or `webhook-replay:<type>` when permitted. */
  permitReason: string;
  requestId: string;
  at: Date;
}

export function disclosureAudit(w: Pick<WebhookSpec, 'dataClass'>, r: DisclosureRecord) {
  const entry: AuditEntryInput = {
    actor: {
      sub: r.actor.sub,
      roles: r.actor.roles,
      clientId: r.actor.clientId,
      ...(r.actor.practitionerId ? { practitionerId: r.actor.practitionerId } : {}),
      ...(r.actor.patientId ? { patientId: r.actor.patientId } : {}),
    },
    ...(r.patientId ? { patientId: r.patientId } : {}),
    resourceType: w.dataClass,
    resourceId: r.resourceId,
    action: 'export',
    purpose: r.decision.purpose,
    outcome: r.decision.allowed ? 'permit' : 'deny',
    reason: r.decision.allowed ? r.permitReason : `denied:${r.decision.reason}`,
    requestId: r.requestId,
    occurredAt: r.at,
  };
  return entry;
}
