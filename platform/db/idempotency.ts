import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict } from '../errors/index.js';
import type { SqlPart } from './statement.js';

/**
 * DDL of a schema's idempotency table: one row per (caller, key), written in
 * the same transaction as the mutation it guards.
 */
export function idempotencySql(schema: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new TypeError(`Not a plain identifier: ${schema}`);
  return `CREATE TABLE IF NOT EXISTS "${schema}".idempotency_key (
  principal text NOT NULL,
  key text NOT NULL,
  operation text NOT NULL,
  request_hash text NOT NULL,
  result_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal, key)
);`;
}

/** What a caller asked, hashed: the same key must come with the same request. */
export function requestHash(operation: string, request: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, request]))
    .digest('hex');
}

const KEY = /^[A-Za-z0-9._:-]{8,128}$/;

/** The outcome of claiming a key: first use, or a replay of a finished mutation. */
export type Claim = { fresh: true } | { fresh: false; resultId: string };

/** One claim of a key: who, which key, and what was asked (hashed). */
export interface KeyClaim {
  principal: string;
  key: string;
  operation: string;
  requestHash: string;
}

/** BAD_USER_INPUT unless the key has the accepted shape. */
export function checkIdempotencyKey(key: string): void {
  if (!KEY.test(key))
    throw badInput(
      'idempotencyKey must be 8–128 letters, digits, dots, colons, underscores or hyphens',
      'idempotencyKey',
    );
}

/**
 * The claim's INSERT as a statement part (`StatementBatch`), so it can share a
 * round trip with other parts; returns one row when the key is fresh. Check
 * the key first (`checkIdempotencyKey`) and pass the part's rows to
 * `settleClaim`.
 */
export function claimPart(schema: string, claim: KeyClaim): SqlPart {
  return {
    sql: `INSERT INTO "${schema}".idempotency_key (principal, key, operation, request_hash) VALUES (?, ?, ?, ?)
     ON CONFLICT (principal, key) DO NOTHING RETURNING key`,
    params: [claim.principal, claim.key, claim.operation, claim.requestHash],
    rows: true,
  };
}

/**
 * What a claim's INSERT found: fresh when it inserted; else the stored
 * claim, read on a new snapshot (a concurrent claim of the same key that
 * the INSERT waited for is visible to it), as a replay or CONFLICT.
 */
export async function settleClaim(
  em: EntityManager,
  schema: string,
  claim: KeyClaim,
  inserted: readonly unknown[],
): Promise<Claim> {
  if (inserted.length) return { fresh: true };
  const [row] = await em.execute<
    { operation: string; request_hash: string; result_id: string | null }[]
  >(
    `SELECT operation, request_hash, result_id FROM "${schema}".idempotency_key WHERE principal = ? AND key = ?`,
    [claim.principal, claim.key],
  );
  if (
    !row ||
    row.operation !== claim.operation ||
    row.request_hash !== claim.requestHash ||
    !row.result_id
  )
    throw conflict('This idempotency key was already used for a different request');
  return { fresh: false, resultId: row.result_id };
}

/**
 * Claims `key` for this caller inside the mutation's transaction. A concurrent
 * claim of the same key waits for this transaction and then sees its result;
 * a finished one returns the stored result id; the same key with another
 * request is CONFLICT. Call `completeIdempotencyKey` before committing.
 */
export async function claimIdempotencyKey(
  em: EntityManager,
  schema: string,
  claim: KeyClaim,
): Promise<Claim> {
  checkIdempotencyKey(claim.key);
  const part = claimPart(schema, claim);
  const inserted = await em.execute<{ key: string }[]>(part.sql, [...part.params]);
  return settleClaim(em, schema, claim, inserted);
}

/** `completeIdempotencyKey` as a statement part: records the result id of a fresh claim. */
export function completePart(
  schema: string,
  principal: string,
  key: string,
  resultId: string,
): SqlPart {
  return {
    sql: `UPDATE "${schema}".idempotency_key SET result_id = ? WHERE principal = ? AND key = ?`,
    params: [resultId, principal, key],
  };
}

/** Records the result of the mutation a fresh claim guarded. */
export async function completeIdempotencyKey(
  em: EntityManager,
  schema: string,
  principal: string,
  key: string,
  resultId: string,
): Promise<void> {
  const part = completePart(schema, principal, key, resultId);
  await em.execute(part.sql, [...part.params]);
}

/**
 * Who a key belongs to beyond the caller's subject: the client app and the
 * patient the write is for. One partner app acting for many patients (one
 * `sub`), or one person through two apps, gets a key space per pair.
 */
export interface IdempotencyScope {
  clientId: string;
  patientId: string;
}

const scopes = new AsyncLocalStorage<IdempotencyScope>();

/**
 * Runs `fn` with every idempotency claim inside it (`runOnce`, however deep in
 * a store) scoped to (client, subject, patient). `auditedWrite` sets it for
 * each write from the principal and the write's patient.
 */
export function withIdempotencyScope<T>(scope: IdempotencyScope, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scope, fn);
}

/**
 * The stored owner of a key: (client, subject, patient) when a scope is
 * active, else the subject alone (a system job that claims its own keys).
 */
export function keyOwner(by: string, scope = scopes.getStore()): string {
  return scope ? JSON.stringify([scope.clientId, by, scope.patientId]) : by;
}

/** One mutation guarded by a caller's idempotency key. */
export interface IdempotentRequest {
  /** The caller (principal `sub`); keys are per (client, caller, patient) inside `withIdempotencyScope`. */
  by: string;
  key: string;
  /** Operation name; a key reused for another operation is CONFLICT. */
  operation: string;
  /** What was asked (JSON-able; bigints as strings): a key reused with another request is CONFLICT. */
  request: unknown;
}

/**
 * Runs `mutate` once per (owner, key) in `schema` (the owner is `keyOwner`), in one transaction with
 * the key's claim: a retry returns the first result's id (`replayed`), a
 * concurrent retry waits for the first and then does the same, and the same
 * key with another request is CONFLICT. Nests as a savepoint in a caller's
 * transaction.
 */
export async function runOnce(
  em: EntityManager,
  schema: string,
  g: IdempotentRequest,
  mutate: (tem: EntityManager) => Promise<string>,
): Promise<{ id: string; replayed: boolean }> {
  const owner = keyOwner(g.by);
  return em.transactional(async (tem) => {
    const claim = await claimIdempotencyKey(tem, schema, {
      principal: owner,
      key: g.key,
      operation: g.operation,
      requestHash: requestHash(g.operation, g.request),
    });
    if (!claim.fresh) return { id: claim.resultId, replayed: true };
    const id = await mutate(tem);
    await completeIdempotencyKey(tem, schema, owner, g.key, id);
    return { id, replayed: false };
  });
}
