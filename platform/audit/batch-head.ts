import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

import { GENESIS_HASH } from './hash.js';
import { publicAuditKey } from './heads.js';

/**
 * The head of one sealed batch: a Merkle tree over `size` entries logged in
 * `month`, chained to the batch before by `prev` (that batch's head hash; the
 * genesis hash for batch 1). The sealer signs it, so a batch's entries can be
 * proved part of the signed log one batch at a time.
 */
export interface BatchHead {
  v: 2;
  batch: number;
  /** UTC month the batch's entries were logged in, `YYYY-MM`: batches never span months. */
  month: string;
  size: number;
  root: string;
  prev: string;
  sealedAt: string;
}

/** Format version of batch heads (version 1 was the single hash chain). */
export const BATCH_HEAD_VERSION = 2;

/** A batch as `audit.batch` stores it. */
export interface BatchRow {
  batch: string;
  month: string;
  size: number;
  root: string;
  prev: string;
  sealed_at: string;
  head_hash: string;
  jws: string;
}

/** The columns of `audit.batch`, in BatchRow's order. */
export const BATCH_COLUMNS = 'batch, month, size, root, prev, sealed_at, head_hash, jws';

/** The head a stored batch row holds. */
export function headOfRow(b: BatchRow): BatchHead {
  return {
    v: BATCH_HEAD_VERSION,
    batch: Number(b.batch),
    month: b.month,
    size: b.size,
    root: b.root,
    prev: b.prev,
    sealedAt: b.sealed_at,
  };
}

export { GENESIS_HASH };

/** The head's canonical text: fixed key order, the text that is hashed and signed. */
export function canonicalBatchHead(h: BatchHead): string {
  return JSON.stringify({
    v: h.v,
    batch: h.batch,
    month: h.month,
    size: h.size,
    root: h.root,
    prev: h.prev,
    sealedAt: h.sealedAt,
  });
}

/** sha256 hex of the canonical head: what the next batch's `prev` and the signed heads name. */
export function batchHeadHash(h: BatchHead): string {
  return createHash('sha256').update(canonicalBatchHead(h), 'utf8').digest('hex');
}

/** A public key for checking batch signatures, from the log's public JWK. */
export function batchVerifyKey(publicJwk: JWK): KeyObject {
  return createPublicKey({
    key: publicAuditKey(publicJwk) as Record<string, unknown>,
    format: 'jwk',
  });
}

/**
 * The head a compact EdDSA JWS signs, when the signature is good and the
 * payload is a batch head; undefined otherwise.
 */
export function verifyBatchJws(jws: string, key: KeyObject): BatchHead | undefined {
  const parts = jws.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown })
      .alg;
    if (alg !== 'EdDSA') return undefined;
    const ok = verify(
      null,
      Buffer.from(`${header}.${payload}`),
      key,
      Buffer.from(signature, 'base64url'),
    );
    if (!ok) return undefined;
    const head = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as BatchHead;
    return head.v === BATCH_HEAD_VERSION && Number.isSafeInteger(head.batch) ? head : undefined;
  } catch {
    return undefined;
  }
}

/** Whether two heads hold the same fields. */
export function sameHead(a: BatchHead, b: BatchHead): boolean {
  return canonicalBatchHead(a) === canonicalBatchHead(b);
}
