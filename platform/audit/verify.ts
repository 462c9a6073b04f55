import type { JWK } from 'jose';

import { queryRows, type AuditDb } from './db.js';
import { chainHash, GENESIS_HASH } from './hash.js';
import { AuditHeadError, readHeads, type SignedHead } from './heads.js';

/**
 * Outcome of a verification. `firstBadSeq` is the first chain position found
 * wrong; 0 when the signed heads file itself is at fault.
 */
export type VerifyResult =
  | { ok: true; entries: number; lastSeq: number; headsChecked: number }
  | { ok: false; entries: number; firstBadSeq: number; reason: string };

export interface VerifyOptions {
  /** Signed heads to check the chain against; requires `publicJwk`. */
  headsFile?: string;
  publicJwk?: JWK;
  batchSize?: number;
  /**
   * Fail when the newest signed head is older than this (the CLI passes twice
   * the signing interval): removing the newest heads, or stopping the signer,
   * then shows. Unset: no freshness check.
   */
  maxHeadAgeMs?: number;
  /** Accept a stale newest head when it is a stop head: the stack was stopped cleanly. */
  acceptStopped?: boolean;
  now?: Date;
}

interface Row {
  seq: string;
  prev_hash: string;
  hash: string;
  payload: string;
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

/** Map of seq to the signed hash; a key that signed two hashes for one seq is itself a failure. */
function headIndex(heads: SignedHead[]): Map<number, SignedHead> | string {
  const bySeq = new Map<number, SignedHead>();
  for (const h of heads) {
    if (h.seq === 0) continue; // an empty chain
    const seen = bySeq.get(h.seq);
    if (seen && seen.hash !== h.hash) return `signed heads disagree about seq ${h.seq}`;
    bySeq.set(h.seq, h);
  }
  return bySeq;
}

/**
 * Proves the audit chain intact: reads every entry in seq order (the caller
 * connects as the audit owner or a superuser), recomputes each hash as the
 * trigger does, checks seq continuity and prev_hash links, then checks every
 * signed head: the chain must hold that seq with that hash, so a truncated
 * tail or a rewritten chain fails. The heads themselves are a chain (see
 * readHeads) and, with `maxHeadAgeMs`, the newest must be recent, so heads
 * removed from the end of the file are noticed too.
 */
export async function verifyAuditChain(
  db: AuditDb,
  opts: VerifyOptions = {},
): Promise<VerifyResult> {
  const loaded = await loadHeads(opts);
  const stale = typeof loaded === 'string' ? undefined : staleness(loaded, opts);
  if (stale) return { ok: false, entries: 0, firstBadSeq: 0, reason: stale };
  const index = typeof loaded === 'string' ? loaded : headIndex(loaded);
  if (typeof index === 'string') return { ok: false, entries: 0, firstBadSeq: 0, reason: index };

  const batch = opts.batchSize ?? 1000;
  let expected = 1;
  let prev = GENESIS_HASH;
  const fail = (firstBadSeq: number, reason: string): VerifyResult => ({
    ok: false,
    entries: expected - 1,
    firstBadSeq,
    reason,
  });
  for (;;) {
    const rows = await queryRows<Row>(
      db,
      'SELECT seq, prev_hash, hash, payload FROM audit.entry WHERE seq >= ? ORDER BY seq LIMIT ?',
      [expected, batch],
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expected) return fail(expected, `gap: seq ${expected} missing`);
      if (row.prev_hash !== prev) return fail(seq, `prev_hash mismatch at seq ${seq}`);
      if (chainHash(prev, seq, row.payload) !== row.hash)
        return fail(seq, `hash mismatch at seq ${seq}`);
      const signed = index.get(seq);
      if (signed && signed.hash !== row.hash)
        return fail(seq, `hash at seq ${seq} differs from the head signed at ${signed.signedAt}`);
      prev = row.hash;
      expected++;
    }
    if (rows.length < batch) break;
  }
  const lastSeq = expected - 1;
  let maxSigned = 0;
  for (const seq of index.keys()) maxSigned = Math.max(maxSigned, seq);
  if (maxSigned > lastSeq)
    return fail(
      lastSeq + 1,
      `chain ends at seq ${lastSeq} but a signed head records seq ${maxSigned}`,
    );
  return { ok: true, entries: lastSeq, lastSeq, headsChecked: index.size };
}
