import type { KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

import { queryRows, type AuditDb } from './db.js';
import {
  batchHeadHash,
  batchVerifyKey,
  BATCH_COLUMNS,
  GENESIS_HASH,
  headOfRow,
  sameHead,
  verifyBatchJws,
  type BatchRow,
} from './batch-head.js';
import { leafHash, merkleRoot } from './merkle.js';
import { AuditHeadError, readHeads, type SignedHead } from './heads.js';

/**
 * Outcome of a verification. `firstBadSeq` is the first entry found wrong;
 * 0 when the fault is not one entry's (a batch head, the signed heads file).
 */
export type VerifyResult =
  | {
      ok: true;
      /** Sealed entries checked against their batch trees (dropped months excepted). */
      entries: number;
      batches: number;
      /** Entries queued for sealing, within the allowed wait. */
      pending: number;
      headsChecked: number;
    }
  | { ok: false; entries: number; firstBadSeq: number; reason: string };

export interface VerifyOptions {
  /** Signed heads to check the log against; requires `publicJwk`. */
  headsFile?: string;
  /** The log's public key: with it every batch signature is checked too. */
  publicJwk?: JWK;
  /** Batches read per round trip. */
  batchSize?: number;
  /**
   * Fail when the newest signed head is older than this (the CLI passes twice
   * the signing interval): removing the newest heads, or stopping the signer,
   * then shows. Unset: no freshness check.
   */
  maxHeadAgeMs?: number;
  /** Accept a stale newest head when it is a stop head: the stack was stopped cleanly. */
  acceptStopped?: boolean;
  /** Fail when an entry has waited longer than this to be sealed (the sealer stopped). */
  maxSealLagMs?: number;
  now?: Date;
}

interface SealRow {
  batch: string;
  idx: number;
  seq: string;
  leaf: string;
  payload: string | null;
}

async function loadHeads(opts: VerifyOptions): Promise<SignedHead[] | string> {
  if (!opts.headsFile) return [];
  if (!opts.publicJwk) throw new TypeError('verifyAuditChain: headsFile needs publicJwk');
  try {
    return await readHeads(opts.headsFile, opts.publicJwk);
  } catch (err) {
    if (err instanceof AuditHeadError) return err.message;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return `signed heads file not found: ${opts.headsFile}`;
    throw err;
  }
}

/** Why the newest head is too old to vouch for the chain's tail, or undefined when it is fresh enough. */
function staleness(heads: SignedHead[], opts: VerifyOptions): string | undefined {
  if (opts.maxHeadAgeMs === undefined || !opts.headsFile) return undefined;
  const newest = heads[heads.length - 1];
  if (!newest) return 'the signed heads file holds no head';
  const ageMs = (opts.now ?? new Date()).getTime() - Date.parse(newest.signedAt);
  if (ageMs <= opts.maxHeadAgeMs) return undefined;
  if (opts.acceptStopped && newest.event === 'stop') return undefined;
  return (
    `newest signed head (${newest.signedAt}) is ${Math.round(ageMs / 1000)} s old, over the ` +
    `${Math.round(opts.maxHeadAgeMs / 1000)} s limit: heads were removed, or the signer is not ` +
    `running` +
    (newest.event === 'stop' ? ' (it is a stop head: verify a stopped stack with --stopped)' : '')
  );
}

/** Map of batch to the signed head hash; a key that signed two hashes for one batch is itself a failure. */
function headIndex(heads: SignedHead[]): Map<number, SignedHead> | string {
  const bySeq = new Map<number, SignedHead>();
  for (const h of heads) {
    if (h.seq === 0) continue; // an empty log
    const seen = bySeq.get(h.seq);
    if (seen && seen.hash !== h.hash) return `signed heads disagree about batch ${h.seq}`;
    bySeq.set(h.seq, h);
  }
  return bySeq;
}

type Fail = (firstBadSeq: number, reason: string) => VerifyResult;

/** Months no drop may reach (audit.drop_month refuses them too): six years. */
const MIN_RETENTION_MONTHS = 72;

/** The UTC month `months` before `now`'s, as YYYY-MM. */
export function monthsBefore(now: Date, months: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1))
    .toISOString()
    .slice(0, 7);
}

/** Checks one batch head: numbering, chain link, hash, signature, and any signed head for it. */
function checkBatchHead(
  b: BatchRow,
  expected: number,
  prev: string,
  ctx: { key?: KeyObject; signed: Map<number, SignedHead> },
): string | undefined {
  const n = Number(b.batch);
  if (n !== expected) return `batch ${expected} missing`;
  const head = headOfRow(b);
  if (b.prev !== prev) return `batch ${n} does not follow batch ${n - 1}`;
  if (batchHeadHash(head) !== b.head_hash) return `batch ${n} head hash mismatch`;
  if (ctx.key) {
    const signedHead = verifyBatchJws(b.jws, ctx.key);
    if (!signedHead || !sameHead(signedHead, head)) return `batch ${n} signature does not match`;
  }
  const signed = ctx.signed.get(n);
  if (signed && signed.hash !== b.head_hash)
    return `batch ${n} differs from the head signed at ${signed.signedAt}`;
  return undefined;
}

/** Recomputes a batch's leaves from its entries and its root; the first bad seq and why. */
function checkBatchEntries(
  b: BatchRow,
  seals: SealRow[],
): { seq: number; reason: string } | undefined {
  const leaves: string[] = [];
  for (const [i, s] of seals.entries()) {
    const seq = Number(s.seq);
    if (s.idx !== i) return { seq, reason: `batch ${b.batch} is missing leaf ${i}` };
    if (s.payload === null)
      return { seq, reason: `entry seq ${seq} (batch ${b.batch}) is missing` };
    const leaf = leafHash(seq, s.payload);
    if (leaf !== s.leaf) return { seq, reason: `hash mismatch at seq ${seq}` };
    leaves.push(leaf);
  }
  if (leaves.length !== b.size)
    return { seq: 0, reason: `batch ${b.batch} holds ${leaves.length} entries, not ${b.size}` };
  if (merkleRoot(leaves) !== b.root) return { seq: 0, reason: `batch ${b.batch} root mismatch` };
  return undefined;
}

/**
 * Entries not sealed: only the intake may hold them (a row in the sealed log
 * without a seal was put there behind the sealer's back), and none may have
 * waited longer than allowed.
 */
async function checkUnsealed(
  db: AuditDb,
  opts: VerifyOptions,
  fail: Fail,
): Promise<VerifyResult | number> {
  const rows = await queryRows<{ seq: string; logged_at: Date; queued: boolean }>(
    db,
    `SELECT e.seq, e.logged_at, false AS queued FROM audit.sealed e
      WHERE NOT EXISTS (SELECT 1 FROM audit.seal s WHERE s.seq = e.seq)
     UNION ALL
     SELECT i.seq, i.logged_at, true FROM audit.intake i
     ORDER BY 1`,
  );
  const now = (opts.now ?? new Date()).getTime();
  for (const r of rows) {
    const seq = Number(r.seq);
    if (!r.queued) return fail(seq, `entry seq ${seq} is in the sealed log but in no batch`);
    const waited = now - new Date(r.logged_at).getTime();
    if (opts.maxSealLagMs !== undefined && waited > opts.maxSealLagMs)
      return fail(
        seq,
        `entry seq ${seq} has waited ${Math.round(waited / 1000)} s to be sealed: the sealer is not running`,
      );
  }
  return rows.length;
}

/**
 * Proves the audit log intact: reads every batch in order (the caller connects
 * as the audit owner or a superuser), checks each head's chain link, hash and
 * signature, recomputes every leaf from its entry and every batch's Merkle
 * root, checks every signed head in the heads file against its batch (so a
 * truncated tail or a rewritten log fails), and that every entry not yet
 * sealed is queued and has not waited too long. Months archived and dropped
 * keep their batch heads; their entries are checked in the archive file.
 */
export async function verifyAuditChain(
  db: AuditDb,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const loaded = await loadHeads(opts);
  const stale = typeof loaded === 'string' ? undefined : staleness(loaded, opts);
  if (stale) return { ok: false, entries: 0, firstBadSeq: 0, reason: stale };
  const signed = typeof loaded === 'string' ? loaded : headIndex(loaded);
  if (typeof signed === 'string') return { ok: false, entries: 0, firstBadSeq: 0, reason: signed };
  const key = opts.publicJwk ? batchVerifyKey(opts.publicJwk) : undefined;
  const dropped = new Set(
    (
      await queryRows<{ month: string }>(
        db,
        'SELECT month FROM audit.archive WHERE dropped_at IS NOT NULL',
      )
    ).map((r) => r.month),
  );

  const keepFrom = monthsBefore(opts.now ?? new Date(), MIN_RETENTION_MONTHS);
  const page = opts.batchSize ?? 20;
  let entries = 0;
  let expected = 1;
  let prev = GENESIS_HASH;
  const fail: Fail = (firstBadSeq, reason) => ({ ok: false, entries, firstBadSeq, reason });
  for (;;) {
    const batches = await queryRows<BatchRow>(
      db,
      `SELECT ${BATCH_COLUMNS} FROM audit.batch WHERE batch >= ? ORDER BY batch LIMIT ?`,
      [expected, page],
    );
    if (batches.length === 0) break;
    const seals = await queryRows<SealRow>(
      db,
      `SELECT s.batch, s.idx, s.seq, s.leaf, e.payload FROM audit.seal s
        LEFT JOIN audit.sealed e ON e.seq = s.seq
        WHERE s.batch BETWEEN ? AND ? ORDER BY s.batch, s.idx`,
      [batches[0]!.batch, batches[batches.length - 1]!.batch],
    );
    const byBatch = new Map<string, SealRow[]>();
    for (const s of seals) {
      const list = byBatch.get(s.batch);
      if (list) list.push(s);
      else byBatch.set(s.batch, [s]);
    }
    for (const b of batches) {
      const bad = checkBatchHead(b, expected, prev, { key, signed });
      if (bad) return fail(0, bad);
      const batchSeals = byBatch.get(b.batch) ?? [];
      // A dropped month's entries are checked in its archive file. Only an old enough month
      // whose entries are all gone counts as dropped: a record alone does not excuse a batch.
      const gone =
        dropped.has(b.month) && b.month < keepFrom && batchSeals.every((x) => x.payload === null);
      if (!gone) {
        const wrong = checkBatchEntries(b, batchSeals);
        if (wrong) return fail(wrong.seq, wrong.reason);
        entries += b.size;
      }
      prev = b.head_hash;
      expected++;
    }
    if (batches.length < page) break;
  }
  const lastBatch = expected - 1;
  let maxSigned = 0;
  for (const n of signed.keys()) maxSigned = Math.max(maxSigned, n);
  if (maxSigned > lastBatch)
    return fail(
      0,
      `the log ends at batch ${lastBatch} but a signed head records batch ${maxSigned}`,
    );
  const pending = await checkUnsealed(db, opts, fail);
  if (typeof pending !== 'number') return pending;
  return { ok: true, entries, batches: lastBatch, pending, headsChecked: signed.size };
}
