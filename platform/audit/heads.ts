import fs from 'node:fs/promises';
import { compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

import { queryRows, type AuditDb } from './db.js';
import { GENESIS_HASH } from './hash.js';
import { HeadLog, jwsDigest, type ChainTip, type HeadEvent, type SignedHead } from './head-log.js';

export type { SignedHead, HeadEvent, ChainTip } from './head-log.js';

/** A heads file that cannot be trusted: unreadable line or bad signature. */
export class AuditHeadError extends Error {
  override name = 'AuditHeadError';
}

const ALG = 'EdDSA';

/** A new Ed25519 private JWK for signing chain heads; the caller stores it. */
export async function generateAuditSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  return exportJWK(privateKey);
}

/** The public half of a signing JWK. */
export function publicAuditKey(jwk: JWK): JWK {
  const { kty, crv, x } = jwk;
  return { kty, crv, x };
}

/** The chain's current tip (`audit.head()`, which every service role may call); seq 0 when empty. */
export async function readChainTip(db: AuditDb): Promise<ChainTip> {
  const [row] = await queryRows<{ seq: string; hash: string }>(
    db,
    'SELECT seq, hash FROM audit.head()',
  );
  return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
}

/**
 * Signs the current chain head and appends it, chained to the line before,
 * to `headsFile`, which should live where the database's owner cannot
 * rewrite it (docs/security.md). An empty chain is signed as seq 0, so a
 * missing file later means it was removed.
 */
export async function signHead(
  db: AuditDb,
  opts: { privateJwk: JWK; headsFile: string; now?: Date; event?: HeadEvent },
): Promise<SignedHead> {
  const tip = await readChainTip(db);
  return new HeadLog(opts.headsFile, opts.privateJwk).append(
    tip,
    opts.event ?? 'periodic',
    opts.now,
  );
}

type VerifyKey = Awaited<ReturnType<typeof importJWK>>;

async function verifyLine(
  line: string,
  n: number,
  key: VerifyKey,
): Promise<{ head: SignedHead; jws: string }> {
  let readable: Partial<SignedHead> & { jws?: unknown };
  try {
    readable = JSON.parse(line) as typeof readable;
  } catch {
    throw new AuditHeadError(`heads file line ${n}: not JSON`);
  }
  if (typeof readable.jws !== 'string')
    throw new AuditHeadError(`heads file line ${n}: no signature`);
  let head: SignedHead;
  try {
    const { payload } = await compactVerify(readable.jws, key, { algorithms: [ALG] });
    head = JSON.parse(new TextDecoder().decode(payload)) as SignedHead;
  } catch {
    throw new AuditHeadError(`heads file line ${n}: bad signature`);
  }
  if (!Number.isSafeInteger(head.seq) || typeof head.hash !== 'string')
    throw new AuditHeadError(`heads file line ${n}: signed payload is not a chain head`);
  // The signed payload is authoritative; a readable copy that disagrees was edited.
  if (
    readable.seq !== head.seq ||
    readable.hash !== head.hash ||
    readable.signedAt !== head.signedAt ||
    readable.n !== head.n ||
    readable.prev !== head.prev ||
    readable.event !== head.event
  )
    throw new AuditHeadError(`heads file line ${n}: readable fields differ from the signed head`);
  return { head, jws: readable.jws };
}

/**
 * Checks that line `n` continues the heads chain: numbered `n`, naming the
 * previous line's JWS. Unchained (older) lines may only precede chained ones.
 */
function checkLink(head: SignedHead, n: number, prevJws: string | undefined, chained: boolean) {
  if (head.n === undefined && head.prev === undefined) {
    if (chained)
      throw new AuditHeadError(`heads file line ${n}: unchained head after chained ones`);
    return;
  }
  const expected = prevJws === undefined ? GENESIS_HASH : jwsDigest(prevJws);
  if (head.n !== n || head.prev !== expected)
    throw new AuditHeadError(
      `heads file line ${n}: does not follow line ${n - 1} (heads were removed, reordered or inserted)`,
    );
}

/**
 * Reads and verifies every signed head in `headsFile` with `publicJwk`, and
 * that each line is chained to the one before. Throws AuditHeadError on any
 * bad line, and the fs error if the file is missing.
 */
export async function readHeads(headsFile: string, publicJwk: JWK): Promise<SignedHead[]> {
  const key = await importJWK(publicAuditKey(publicJwk), ALG);
  const lines = (await fs.readFile(headsFile, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const heads: SignedHead[] = [];
  let prevJws: string | undefined;
  for (const [i, line] of lines.entries()) {
    const { head, jws } = await verifyLine(line, i + 1, key);
    checkLink(
      head,
      i + 1,
      prevJws,
      heads.some((h) => h.n !== undefined),
    );
    heads.push(head);
    prevJws = jws;
  }
  return heads;
}
