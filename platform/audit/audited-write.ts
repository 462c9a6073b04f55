import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from '../federation/context.js';
import { runOnce } from '../db/idempotency.js';
import {
  decisionEvent,
  recordAccess,
  type AccessEvent,
  type DecisionFacts,
} from './request-audit.js';

/** The audit entry a write leaves: whose data, of which class, and how access was decided. */
export interface WriteAudit {
  decision: DecisionFacts;
  patientId: string;
  /** The FHIR resource type written (the audit's resource type). */
  dataClass: string;
  action: Extract<AccessEvent['action'], 'create' | 'update' | 'delete' | 'emergency-access'>;
  /** A reason code to record instead of the decision's (no PHI). */
  reason?: string;
}

/** What the business rows of a write produced: the record's id and the answer. */
export interface Written<T> {
  id: string;
  result: T;
  /** Set by a write that claimed its own idempotency key and found it used. */
  replayed?: boolean;
}

/** A write's parts, run by `auditedWrite` in a fixed order. */
export interface AuditedWrite<T> {
  /**
   * Claim (caller, key) in this schema first: a retry with the same request
   * replays (`replay`), the same key with another request is CONFLICT.
   */
  idempotency?: { schema: string; key: string; operation: string; request: unknown };
  /** The business rows. */
  write: (em: EntityManager) => Promise<Written<T>>;
  /** The answer to a replay, from the first write's id (required with `idempotency`). */
  replay?: (em: EntityManager, id: string) => Promise<T>;
  /** The events of a fresh write (outbox and jobs), after its rows. */
  publish?: (em: EntityManager, result: T) => Promise<unknown>;
}

/**
 * Every mutation's one wrapper: in one transaction, in this order, the
 * idempotency claim, the business rows, the events, the audit entry, commit.
 * All of it commits or none does. One replay rule: a retry that finds its key
 * used writes nothing and publishes nothing, answers what the first write
 * produced, and is audited as a read of that record.
 */
export async function auditedWrite<T>(
  ctx: RequestContext,
  audit: WriteAudit,
  spec: AuditedWrite<T> | AuditedWrite<T>['write'],
): Promise<T> {
  const w = typeof spec === 'function' ? { write: spec } : spec;
  return ctx.em.transactional(async (em) => {
    let out: Written<T>;
    if (w.idempotency) {
      const { schema, key, operation, request } = w.idempotency;
      let fresh: Written<T> | undefined;
      const claim = await runOnce(
        em,
        schema,
        { by: ctx.principal.sub, key, operation, request },
        async (tem) => {
          fresh = await w.write(tem);
          return fresh.id;
        },
      );
      if (claim.replayed) {
        if (!w.replay) throw new Error(`${operation}: an idempotent write needs a replay`);
        out = { id: claim.id, result: await w.replay(em, claim.id), replayed: true };
      } else out = fresh!;
    } else out = await w.write(em);
    if (!out.replayed) await w.publish?.(em, out.result);
    const entry = decisionEvent(audit.decision, {
      patientId: audit.patientId,
      resourceType: audit.dataClass,
      resourceId: out.id,
      action: out.replayed ? 'read' : audit.action,
    });
    await recordAccess({ ...ctx, em }, [audit.reason ? { ...entry, reason: audit.reason } : entry]);
    return out.result;
  });
}
