import type { EntityManager } from '@mikro-orm/postgresql';
import type { WriteAccess } from '../authz/record-access.js';
import {
  checkIdempotencyKey,
  claimPart,
  completePart,
  keyOwner,
  requestHash,
  settleClaim,
  withIdempotencyScope,
  type KeyClaim,
} from '../db/idempotency.js';
import { StatementBatch, type SqlPart } from '../db/statement.js';
import { forbidden } from '../errors/index.js';
import type { RequestContext } from '../federation/context.js';
import { pausePoint } from '../testing/pause-points.js';
import { auditPart } from './audit-part.js';
import {
  auditEntriesFor,
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
  /**
   * Rows the write must read fresh and hold (`SELECT … FOR UPDATE`), read in
   * the transaction's first statement beside the lock and the claim; their
   * rows reach `write`. Row locks read the newest committed version, so
   * sharing that statement is safe.
   */
  prefetch?: SqlPart;
  /**
   * The business rows: written on `em`, or added to `batch`, which goes out
   * with the claim's completion, the events and the audit entry as one
   * statement.
   */
  write: (
    em: EntityManager,
    batch: StatementBatch,
    prefetched: readonly Record<string, unknown>[],
  ) => Promise<Written<T>>;
  /** The answer to a replay, from the first write's id (required with `idempotency`). */
  replay?: (em: EntityManager, id: string) => Promise<T>;
  /** The events of a fresh write (outbox and jobs), after its rows: on `em` or in `batch`. */
  publish?: (em: EntityManager, result: T, batch: StatementBatch) => unknown;
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
 *
 * In few round trips: the first statement takes the patient's facts lock,
 * claims the key and reads `prefetch`; the second reads the facts the
 * decision needs (a later snapshot than the lock's, so it sees every change
 * the lock waited for); the last sends whatever the write put in its batch
 * with the claim's completion, the events and the audit entry. A write that
 * uses neither batch nor prefetch still gets the first and the last.
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
        const first = new StatementBatch();
        const inside = decidedInside(audit.decision) ? audit.decision : undefined;
        const lockHeld = inside?.lock !== undefined;
        if (inside?.lock) first.add(inside.lock);
        const claim = w.idempotency && keyClaim(ctx, w.idempotency);
        const claimed = claim ? first.add(claimPart(claim.schema, claim)) : undefined;
        const prefetched = w.prefetch ? first.add(w.prefetch) : undefined;
        const rows = await first.run(em);

        let decision: DecisionFacts;
        if (inside) {
          const decided = await inside.decide(em, lockHeld);
          if (!decided.allowed) throw new Refused(inside.refusal(decided));
          decision = decided;
        } else decision = audit.decision as DecisionFacts;

        const batch = new StatementBatch();
        const fetched = (prefetched !== undefined && rows.get(prefetched)) || [];
        let out: Written<T>;
        if (claim) {
          const c = await settleClaim(em, claim.schema, claim, rows.get(claimed!) ?? []);
          if (!c.fresh) {
            if (!w.replay)
              throw new Error(`${claim.operation}: an idempotent write needs a replay`);
            out = { id: c.resultId, result: await w.replay(em, c.resultId), replayed: true };
          } else {
            out = await w.write(em, batch, fetched);
            batch.add(completePart(claim.schema, claim.principal, claim.key, out.id));
          }
        } else out = await w.write(em, batch, fetched);
        if (!out.replayed) await w.publish?.(em, out.result, batch);
        const entry = decisionEvent(decision, {
          patientId: audit.patientId,
          resourceType: audit.dataClass,
          resourceId: out.id,
          action: out.replayed ? 'read' : audit.action,
        });
        batch.add(
          auditPart(
            auditEntriesFor(ctx, [audit.reason ? { ...entry, reason: audit.reason } : entry]),
          ),
        );
        await batch.run(em);
        return out.result;
      }),
    );
  } catch (err) {
    if (!(err instanceof Refused) || !decidedInside(audit.decision)) throw err;
    await recordAccess(ctx, [err.event]);
    throw forbidden(audit.decision.noAccess);
  }
}

/** The caller's claim of a write's key, checked, owned by (client, subject, patient). */
function keyClaim(
  ctx: RequestContext,
  g: NonNullable<AuditedWrite<unknown>['idempotency']>,
): KeyClaim & { schema: string } {
  checkIdempotencyKey(g.key);
  return {
    schema: g.schema,
    principal: keyOwner(ctx.principal.sub),
    key: g.key,
    operation: g.operation,
    requestHash: requestHash(g.operation, g.request),
  };
}
