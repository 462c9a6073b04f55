import fs from 'node:fs/promises';
import path from 'node:path';
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

import { queryRows, type AuditDb } from './db.js';

/** A chain head as signed: the chain had entry `seq` with `hash` at `signedAt`. */
export interface SignedHead {
  seq: number;
  hash: string;
  signedAt: string;
}

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

/**
 * Signs the current chain head (`audit.head()`) and appends it as one JSON line
 * to `headsFile`, which should live apart from the database. Creates the file
 * even when the chain is still empty (then returns null), so a missing file
 * later means it was removed.
 */
export async function signHead(
  db: AuditDb,
  opts: { privateJwk: JWK; headsFile: string; now?: Date },
): Promise<SignedHead | null> {
  await fs.mkdir(path.dirname(opts.headsFile), { recursive: true });
  const [row] = await queryRows<{ seq: string; hash: string }>(
    db,
    'SELECT seq, hash FROM audit.head()',
  );
  const file = await fs.open(opts.headsFile, 'a');
  try {
    if (!row) return null;
    const head: SignedHead = {
      seq: Number(row.seq),
      hash: row.hash,
      signedAt: (opts.now ?? new Date()).toISOString(),
    };
    const key = await importJWK(opts.privateJwk, ALG);
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(head)))
      .setProtectedHeader({ alg: ALG })
      .sign(key);
    await file.appendFile(`${JSON.stringify({ ...head, jws })}\n`);
    await file.datasync();
    return head;
  } finally {
    await file.close();
  }
}

type VerifyKey = Awaited<ReturnType<typeof importJWK>>;

async function verifyLine(line: string, n: number, key: VerifyKey): Promise<SignedHead> {
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
    readable.signedAt !== head.signedAt
  )
    throw new AuditHeadError(`heads file line ${n}: readable fields differ from the signed head`);
  return head;
}

/**
 * Reads and verifies every signed head in `headsFile` with `publicJwk`.
 * Throws AuditHeadError on any bad line, and the fs error if the file is missing.
 */
export async function readHeads(headsFile: string, publicJwk: JWK): Promise<SignedHead[]> {
  const key = await importJWK(publicAuditKey(publicJwk), ALG);
  const lines = (await fs.readFile(headsFile, 'utf8')).split('\n');
  const heads: SignedHead[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() !== '') heads.push(await verifyLine(line, i + 1, key));
  }
  return heads;
}
