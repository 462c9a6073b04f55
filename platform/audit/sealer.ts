import type { KeyObject } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

import { batchHeadHash, BATCH_HEAD_VERSION, GENESIS_HASH, type BatchHead } from './batch-head.js';
import { compactJws } from './head-log.js';
import { leafHash, merkleRoot } from './merkle.js';

/** How many entries one sealing transaction takes, and the most one batch's tree holds. */
export const SEAL_MAX_ENTRIES = 10_000;
export const SEAL_MAX_BATCH = 1024;

interface Unsealed {
  seq: string | number;
  logged_at: Date | string;
  payload: string;
}

/** What one sealing run did. */
export interface SealResult {
  batches: number;
  entries: number;
  /** True when another sealer held the lock, so this one did nothing. */
  busy: boolean;
}

/** Entries in seq order, cut into batches that stay within one UTC month and SEAL_MAX_BATCH. */
function intoBatches(rows: Unsealed[], maxBatch: number): { month: string; rows: Unsealed[] }[] {
  const byMonth = new Map<string, Unsealed[]>();
  for (const r of rows) {
    const month = new Date(r.logged_at).toISOString().slice(0, 7);
    const list = byMonth.get(month) ?? [];
    list.push(r);
    byMonth.set(month, list);
  }
  const out: { month: string; rows: Unsealed[] }[] = [];
  for (const [month, list] of byMonth)
    for (let i = 0; i < list.length; i += maxBatch)
      out.push({ month, rows: list.slice(i, i + maxBatch) });
  return out;
}

/**
 * Seals the queued entries: in one transaction, takes up to SEAL_MAX_ENTRIES
 * of them in seq order, builds an RFC 9162 Merkle tree per batch, chains each
 * batch head to the one before, signs it with the log's key and records it
 * (`audit.record_batch`, which also dequeues the entries). One sealer works
 * at a time (an advisory lock; a second returns `busy`), so batches never fork.
 */
export async function sealPending(
  em: EntityManager,
  opts: { key: KeyObject; now?: () => Date; maxEntries?: number; maxBatch?: number },
): Promise<SealResult> {
  return em.fork().transactional(async (tx) => {
    const [lock] = await tx.execute<{ ok: boolean }[]>(
      'SELECT pg_try_advisory_xact_lock(7201, 2) AS ok',
    );
    if (!lock?.ok) return { batches: 0, entries: 0, busy: true };
    const rows = await tx.execute<Unsealed[]>(
      'SELECT seq, logged_at, payload FROM audit.unsealed(?)',
      [opts.maxEntries ?? SEAL_MAX_ENTRIES],
    );
    if (rows.length === 0) return { batches: 0, entries: 0, busy: false };
    const [tip] = await tx.execute<{ seq: string; hash: string }[]>(
      'SELECT seq, hash FROM audit.head()',
    );
    let batch = tip ? Number(tip.seq) : 0;
    let prev = tip?.hash ?? GENESIS_HASH;
    const batches = intoBatches(rows, opts.maxBatch ?? SEAL_MAX_BATCH);
    for (const b of batches) {
      const seqs = b.rows.map((r) => Number(r.seq));
      const leaves = b.rows.map((r, i) => leafHash(seqs[i]!, r.payload));
      const head: BatchHead = {
        v: BATCH_HEAD_VERSION,
        batch: ++batch,
        month: b.month,
        size: leaves.length,
        root: merkleRoot(leaves),
        prev,
        sealedAt: (opts.now?.() ?? new Date()).toISOString(),
      };
      const headHash = batchHeadHash(head);
      await tx.execute(
        'SELECT audit.record_batch(?, ?, ?, ?, ?, ?, ?, ?, ?::bigint[], ?::text[])',
        [
          head.batch,
          head.month,
          head.size,
          head.root,
          head.prev,
          head.sealedAt,
          headHash,
          compactJws(opts.key, head),
          // Array literals: knex would expand a JS array into a list. Both hold only digits and hex.
          `{${seqs.join(',')}}`,
          `{${leaves.join(',')}}`,
        ],
      );
      prev = headHash;
    }
    return { batches: batches.length, entries: rows.length, busy: false };
  });
}
