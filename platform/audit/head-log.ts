import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';

import { GENESIS_HASH } from './hash.js';

/** Why a head was signed: the stack started, the periodic signer ran, or it stopped. */
export type HeadEvent = 'start' | 'periodic' | 'stop';

/** The chain's tip as read from `audit.head()`: seq 0 and the genesis hash when empty. */
export interface ChainTip {
  seq: number;
  hash: string;
}

/**
 * A chain head as signed: the audit chain held entry `seq` with `hash` at
 * `signedAt`. `n` numbers the heads file's lines from 1 and `prev` is the
 * sha256 of the previous line's JWS (the genesis hash on line 1), so the
 * heads are a chain of their own: no line can be dropped or reordered
 * without breaking the signatures that follow. Lines written before heads
 * were chained have neither.
 */
export interface SignedHead extends ChainTip {
  signedAt: string;
  n?: number;
  prev?: string;
  event?: HeadEvent;
}

/** The heads file changed behind the signer's back, or the audit chain went backwards. */
export class AuditHeadTamperError extends Error {
  override name = 'AuditHeadTamperError';
}

/** sha256 hex of a line's JWS: what the next line's `prev` names. */
export const jwsDigest = (jws: string): string => createHash('sha256').update(jws).digest('hex');

/** The last non-empty line of a file (read from its end), or undefined when empty or missing. */
function lastLine(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    // A line is a few hundred bytes; read more until the tail holds a whole one.
    for (let window = 4096; ; window *= 4) {
      const start = Math.max(0, size - window);
      const buf = Buffer.alloc(size - start);
      fs.readSync(fd, buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n');
      const complete = start === 0 ? lines : lines.slice(1);
      const last = complete.filter((l) => l.trim() !== '').pop();
      if (last !== undefined || start === 0) return last;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Lines of a legacy (unchained) file, so the first chained line gets the right `n`. */
function countLines(file: string): number {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '').length;
}

/** A compact EdDSA JWS over `payload` as JSON, signed with node:crypto (no per-call key import). */
export function compactJws(key: KeyObject, payload: object): string {
  const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc({ alg: 'EdDSA' })}.${enc(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

/**
 * Appends signed heads to one heads file, synchronously (so a stop head can
 * still be written from a process `exit` handler), each chained to the line
 * before it. Once it has written a line it expects to find that line last:
 * a file edited or truncated behind it, or a chain tip lower than one it
 * signed, throws AuditHeadTamperError instead of signing over the damage.
 * One signer per heads file.
 */
export class HeadLog {
  private readonly key: KeyObject;
  private lastWritten: string | undefined;
  private lastTip: ChainTip | undefined;

  constructor(
    readonly file: string,
    privateJwk: JWK,
  ) {
    this.key = createPrivateKey({ key: privateJwk as Record<string, unknown>, format: 'jwk' });
  }

  /** The tip this log last signed, if any. */
  get lastSigned(): ChainTip | undefined {
    return this.lastTip;
  }

  /** Signs `tip` as of `now` and appends it as one JSON line; returns the head. */
  append(tip: ChainTip, event: HeadEvent, now = new Date()): SignedHead {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o755 });
    const tail = lastLine(this.file);
    if (this.lastWritten !== undefined && tail !== this.lastWritten)
      throw new AuditHeadTamperError(
        `heads file ${this.file} no longer ends with the line this signer wrote last`,
      );
    let n = 1;
    let prev = GENESIS_HASH;
    let signedBefore = this.lastTip?.seq;
    if (tail !== undefined) {
      const before = JSON.parse(tail) as { n?: unknown; seq?: unknown; jws?: unknown };
      if (typeof before.jws !== 'string')
        throw new AuditHeadTamperError(`heads file ${this.file} ends with an unsigned line`);
      n = (typeof before.n === 'number' ? before.n : countLines(this.file)) + 1;
      prev = jwsDigest(before.jws);
      if (typeof before.seq === 'number') signedBefore = Math.max(signedBefore ?? 0, before.seq);
    }
    // The chain only grows: a lower tip than one already signed means entries were removed.
    if (signedBefore !== undefined && tip.seq < signedBefore)
      throw new AuditHeadTamperError(
        `audit chain tip went back from seq ${signedBefore} to seq ${tip.seq}`,
      );
    const head: SignedHead = {
      n,
      seq: tip.seq,
      hash: tip.hash,
      signedAt: now.toISOString(),
      event,
      prev,
    };
    const line = JSON.stringify({ ...head, jws: compactJws(this.key, head) });
    const fd = fs.openSync(this.file, 'a', 0o644);
    try {
      fs.writeSync(fd, `${line}\n`);
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.lastWritten = line;
    this.lastTip = tip;
    return head;
  }
}
