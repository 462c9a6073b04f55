import type { EntityManager } from '@mikro-orm/postgresql';
import type { WriteAccess } from '../authz/record-access.js';
import { runOnce, withIdempotencyScope } from '../db/idempotency.js';
import { forbidden } from '../errors/index.js';
import type { RequestContext } from '../federation/context.js';
import { pausePoint } from '../testing/pause-points.js';
import {
  decisionEvent,
  recordAccess,
  type AccessEvent,
  type DecisionFacts,
} from './request-audit.js';

/** The audit entry a write leaves: whose data, of which class, and how access was decided. */
export interface WriteAudit {
  /**
   * How access is decided: a `WriteAccess` (`writeAccess` in
   * platform/authz), decided inside this write's transaction, as every write
   * to an existing patient's data must be; or facts already decided (a
   * registration, which the shield alone decides).
   */
  decision: DecisionFacts | WriteAccess;
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

/** Thrown inside the transaction to roll it back when the decision refuses. */
class Refused extends Error {
  constructor(readonly event: AccessEvent) {
    super('refused');
  }
}

const decidedInside = (d: DecisionFacts | WriteAccess): d is WriteAccess => 'decide' in d;

/**
 * Every mutation's one wrapper: in one transaction, in this order, the access
 * decision (on the transaction's connection, holding the patient's lock, so a
 * consent or care-team change either committed before it or waits for the
 * commit), the idempotency claim (scoped to client, subject and patient), the
 * business rows, the events, the audit entry, commit. All of it commits or
 * none does; a refusal rolls back, is audited on its own and answers
 * FORBIDDEN. One replay rule: a retry that finds its key used writes nothing
 * and publishes nothing, answers what the first write produced, and is
 * audited as a read of that record.
 */
export async function auditedWrite<T>(
  ctx: RequestContext,
  audit: WriteAudit,
  spec: AuditedWrite<T> | AuditedWrite<T>['write'],
): Promise<T> {
  const w = typeof spec === 'function' ? { write: spec } : spec;
  const scope = { clientId: ctx.principal.clientId, patientId: audit.patientId };
  await pausePoint('audited-write:before-transaction');
  try {
    return await withIdempotencyScope(scope, () =>
      ctx.em.transactional(async (em) => {
        let decision: DecisionFacts;
        if (decidedInside(audit.decision)) {
          const decided = await audit.decision.decide(em);
          if (!decided.allowed) throw new Refused(audit.decision.refusal(decided));
          decision = decided;
        } else decision = audit.decision;
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
        const entry = decisionEvent(decision, {
          patientId: audit.patientId,
          resourceType: audit.dataClass,
          resourceId: out.id,
          action: out.replayed ? 'read' : audit.action,
        });
        await recordAccess({ ...ctx, em }, [
          audit.reason ? { ...entry, reason: audit.reason } : entry,
        ]);
        return out.result;
      }),
    );
  } catch (err) {
    if (!(err instanceof Refused) || !decidedInside(audit.decision)) throw err;
    await recordAccess(ctx, [err.event]);
    throw forbidden(audit.decision.noAccess);
  }
}
