import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { importJWK, type CryptoKey, type JWK } from 'jose';

/** A fresh keys directory under the OS temp dir, and its removal. */
export async function tempKeysDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'carefed-keys-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The private key stored in `<dir>/<file>`, for tests that forge tokens by hand. */
export async function readStoredKey(
  dir: string,
  file: string,
  alg: string,
): Promise<{ jwk: JWK; key: CryptoKey }> {
  const jwk = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as JWK;
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array) throw new Error('expected an asymmetric key');
  return { jwk, key };
}

/** Base64url of a JSON value, for hand-made JWT segments. */
export function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
