import type { EntityManager } from '@mikro-orm/postgresql';
import type { JWK } from 'jose';

import {
  batchVerifyKey,
  BATCH_HEAD_VERSION,
  sameHead,
  verifyBatchJws,
  type BatchHead,
} from './batch-head.js';
import { inclusionPath, leafHash, rootFromPath } from './merkle.js';

/**
 * Everything a patient's app needs to check, on its own, that an access-log
 * entry it was shown is in the log the sealer signed: the entry's exact
 * stored text, its place in its batch's Merkle tree, the audit path to the
 * root (RFC 9162), and the batch head with the log key's signature over it.
 */
export interface InclusionProof {
  seq: number;
  /** The entry exactly as stored: the leaf is SHA-256(0x00 || seq "\n" payload). */
  payload: string;
  batch: number;
  leafIndex: number;
  treeSize: number;
  month: string;
  root: string;
  prev: string;
  sealedAt: string;
  auditPath: string[];
  /** Compact EdDSA JWS whose payload is the batch head. */
  signature: string;
}

interface Material {
  seq: string;
  payload: string;
  batch: string;
  idx: number;
  month: string;
  size: number;
  root: string;
  prev: string;
  sealed_at: string;
  jws: string;
  leaves: string[];
}

/**
 * Inclusion proofs of one patient's entries, in one statement, keyed by seq;
 * an entry not yet sealed (or not this patient's) has none.
 */
export async function readInclusionProofs(
  em: EntityManager,
  patientId: string,
  seqs: readonly number[],
): Promise<Map<number, InclusionProof>> {
  const out = new Map<number, InclusionProof>();
  if (seqs.length === 0) return out;
  const rows = await em.execute<Material[]>(
    `SELECT q.seq, m.* FROM unnest(?::bigint[]) AS q(seq)
      CROSS JOIN LATERAL audit.proof_material(q.seq, ?) m`,
    [`{${seqs.map((s) => Math.trunc(s)).join(',')}}`, patientId],
  );
  for (const r of rows) {
    const seq = Number(r.seq);
    out.set(seq, {
      seq,
      payload: r.payload,
      batch: Number(r.batch),
      leafIndex: r.idx,
      treeSize: r.size,
      month: r.month,
      root: r.root,
      prev: r.prev,
      sealedAt: r.sealed_at,
      auditPath: inclusionPath(r.leaves, r.idx),
      signature: r.jws,
    });
  }
  return out;
}

/** Checks a proof with the log's public key alone: no database, no trust in the server. */
export function verifyInclusionProof(
  proof: InclusionProof,
  publicJwk: JWK,
): { ok: true } | { ok: false; reason: string } {
  const root = rootFromPath(
    leafHash(proof.seq, proof.payload),
    proof.leafIndex,
    proof.treeSize,
    proof.auditPath,
  );
  if (root === undefined || root !== proof.root)
    return { ok: false, reason: 'the audit path does not lead from this entry to the root' };
  const head: BatchHead = {
    v: BATCH_HEAD_VERSION,
    batch: proof.batch,
    month: proof.month,
    size: proof.treeSize,
    root,
    prev: proof.prev,
    sealedAt: proof.sealedAt,
  };
  const signed = verifyBatchJws(proof.signature, batchVerifyKey(publicJwk));
  if (!signed || !sameHead(signed, head))
    return { ok: false, reason: 'the batch head is not the one the log key signed' };
  return { ok: true };
}
