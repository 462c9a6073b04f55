import type { RequestContext } from '../federation/context.js';
import { unavailable } from '../errors/index.js';
import type { AuditEntryInput } from './entry.js';
import { appendAudit } from './writer.js';

/** One access to record: which patient and resource, what was done, and how it was decided. */
export interface AccessEvent {
  patientId?: string;
  resourceType: string;
  resourceId?: string;
  action: AuditEntryInput['action'];
  purpose: string;
  outcome: AuditEntryInput['outcome'];
  emergency?: boolean;
  reason?: string;
}

/** Builds audit entries for a request's accesses, stamped with the caller and request. */
export function auditEntriesFor(
  ctx: RequestContext,
  events: readonly AccessEvent[],
): AuditEntryInput[] {
  const p = ctx.principal;
  return events.map((e) => ({
    actor: {
      sub: p.sub,
      roles: [...p.roles],
      clientId: p.clientId,
      practitionerId: p.practitionerId,
      patientId: p.patientId,
    },
    ...e,
    requestId: ctx.requestId,
    ip: ctx.ip,
    occurredAt: ctx.now,
  }));
}

/**
 * Appends the accesses in one statement on `ctx.em` (inside the caller's
 * transaction for writes). A read whose audit cannot be written fails closed.
 */
export async function recordAccess(
  ctx: RequestContext,
  events: readonly AccessEvent[],
): Promise<void> {
  if (events.length === 0) return;
  try {
    await appendAudit(ctx.em, auditEntriesFor(ctx, events));
  } catch (err) {
    ctx.log.error({ err: (err as Error).message }, 'audit append failed; refusing the request');
    throw unavailable('The access could not be audited, so it was refused; retry shortly');
  }
}

/** What an access decision says, as the audit log records it (no PHI: codes only). */
export interface DecisionFacts {
  allowed: boolean;
  emergency: boolean;
  purpose: string;
  reason: string;
}

/** The audit event for one decided access: outcome, purpose, emergency flag and the deciding check. */
export function decisionEvent(
  d: DecisionFacts,
  what: {
    patientId: string;
    resourceType: string;
    resourceId?: string;
    action: AccessEvent['action'];
  },
): AccessEvent {
  return {
    ...what,
    purpose: d.purpose,
    outcome: d.allowed ? 'permit' : 'deny',
    emergency: d.emergency || undefined,
    reason: d.allowed ? (d.emergency ? 'break-glass' : undefined) : `denied:${d.reason}`,
  };
}
