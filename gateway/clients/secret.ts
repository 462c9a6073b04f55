import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds); kept in each hash so it can rise. */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

function derive(
  secret: string,
  salt: Buffer,
  cost: ScryptOptions,
  length: number,
): Promise<Buffer> {
  const maxmem = 256 * (cost.N ?? 0) * (cost.r ?? 0) + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, length, { ...cost, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** A new client secret: 32 random bytes, base64url. */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Hashes a client secret as `scrypt$N$r$p$<salt>$<hash>` (base64url), with a fresh 16-byte salt. */
export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, COST, KEY_LENGTH);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** True when `stored` is a well-formed hash this module can check. */
export function isClientSecretHash(stored: string): boolean {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Powers of two only (scrypt's rule), and bounded so a registry entry cannot exhaust memory.
  return (
    N >= 2 ** 14 && N <= 2 ** 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 16 && p >= 1 && p <= 4
  );
}

/** Checks `secret` against a stored hash in constant time; false on any malformed input. */
export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m || !isClientSecretHash(stored)) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const cost = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  const actual = await derive(secret, Buffer.from(m[4]!, 'base64url'), cost, expected.length);
  return timingSafeEqual(actual, expected);
}
