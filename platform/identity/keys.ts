import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** The signing algorithms Carefed's own keys use. */
export type OwnSigningAlg = 'ES256' | 'EdDSA';

const CURVE: Record<OwnSigningAlg, { kty: string; crv: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

function errno(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

/**
 * Checks that `value` is a private JWK for `alg`, giving it a thumbprint `kid` and the
 * `alg`/`use` members when absent. `source` names the key in errors; key material never does.
 */
export async function checkPrivateJwk(
  value: unknown,
  alg: OwnSigningAlg,
  source: string,
): Promise<JWK> {
  const { kty, crv } = CURVE[alg];
  if (typeof value !== 'object' || value === null) throw new Error(`${source}: not a JWK object`);
  const jwk = { ...(value as JWK) };
  if (
    jwk.kty !== kty ||
    jwk.crv !== crv ||
    typeof jwk.d !== 'string' ||
    typeof jwk.x !== 'string'
  ) {
    throw new Error(`${source}: expected a private ${kty} ${crv} JWK for ${alg}`);
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new Error(`${source}: alg is not ${alg}`);
  jwk.kid ??= await calculateJwkThumbprint(jwk);
  jwk.alg = alg;
  jwk.use = 'sig';
  return jwk;
}

/** The public members of an EC or OKP JWK; private material is never copied. */
export function publicJwkOf(jwk: JWK): JWK {
  const pub: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  if (jwk.y !== undefined) pub.y = jwk.y;
  if (jwk.kid !== undefined) pub.kid = jwk.kid;
  if (jwk.alg !== undefined) pub.alg = jwk.alg;
  pub.use = 'sig';
  return pub;
}

async function readPrivateJwk(file: string, alg: OwnSigningAlg): Promise<JWK> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if (errno(err) === 'ENOENT') throw err;
    throw new Error(`${file}: not valid JSON`);
  }
  return checkPrivateJwk(parsed, alg, file);
}

async function generatePrivateJwk(alg: OwnSigningAlg): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg === 'ES256' ? 'ES256' : 'Ed25519', {
    extractable: true,
  });
  return checkPrivateJwk(await exportJWK(privateKey), alg, 'generated key');
}

/** Only the keys directory itself is 0700: parents such as `.data` must stay enterable by postgres. */
async function makeKeysDir(dir: string): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
  }
}

/**
 * Reads the private JWK at `file`, or creates it (directory 0700, file 0600) when absent.
 * Creation is atomic, so processes starting together end up sharing one key.
 */
export async function loadOrCreatePrivateJwk(file: string, alg: OwnSigningAlg): Promise<JWK> {
  try {
    return await readPrivateJwk(file, alg);
  } catch (err) {
    if (errno(err) !== 'ENOENT') throw err;
  }
  await makeKeysDir(path.dirname(file));
  const jwk = await generatePrivateJwk(alg);
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails if the name exists, unlike rename(): whoever links first wins.
    await link(tmp, file);
    return jwk;
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
    return readPrivateJwk(file, alg);
  } finally {
    await unlink(tmp);
  }
}
