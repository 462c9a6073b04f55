import type { EntityManager } from '@mikro-orm/postgresql';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  requestHash,
} from '../../../platform/db/idempotency.js';
import { SCHEMA } from './ledger.js';

/** One mutation guarded by a caller's idempotency key. */
export interface Guarded {
  /** The caller (principal `sub`): keys are per caller. */
  by: string;
  key: string;
  /** Operation name; a key reused for another operation is CONFLICT. */
  operation: string;
  /** What was asked (JSON-able; bigints as strings): a key reused with another request is CONFLICT. */
  request: unknown;
}

/**
 * Runs `mutate` once per (caller, key), in one transaction with the key's
 * claim: a retry returns the first result's id (`replayed`), a concurrent
 * retry waits for the first and then does the same, and the same key with
 * another request is CONFLICT. Nests as a savepoint in a caller's transaction.
 */
export async function idempotent(
  em: EntityManager,
  g: Guarded,
  mutate: (tem: EntityManager) => Promise<string>,
): Promise<{ id: string; replayed: boolean }> {
  return em.transactional(async (tem) => {
    const claim = await claimIdempotencyKey(tem, SCHEMA, {
      principal: g.by,
      key: g.key,
      operation: g.operation,
      requestHash: requestHash(g.operation, g.request),
    });
    if (!claim.fresh) return { id: claim.resultId, replayed: true };
    const id = await mutate(tem);
    await completeIdempotencyKey(tem, SCHEMA, g.by, g.key, id);
    return { id, replayed: false };
  });
}
