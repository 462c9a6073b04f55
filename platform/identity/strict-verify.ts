import { jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';

import { UnauthenticatedError, toUnauthenticated } from './errors.js';

/** Asymmetric JWS algorithms a verifier may accept. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

/** Longer bearer tokens are refused before any parsing. */
const MAX_TOKEN_LENGTH = 16_384;

/**
 * Checks an algorithm allow-list at start-up. Only asymmetric algorithms pass: `none`
 * and the HMAC family would let anyone holding the public key mint tokens.
 */
export function assertAsymmetricAlgorithms(algorithms: readonly string[]): string[] {
  const allowed: readonly string[] = ASYMMETRIC_ALGORITHMS;
  const refused = algorithms.filter((a) => !allowed.includes(a));
  if (algorithms.length === 0 || refused.length > 0) {
    throw new Error(
      `Token algorithms must be a non-empty subset of ${allowed.join(', ')}; refused: ${refused.join(', ') || '(empty list)'}`,
    );
  }
  return [...algorithms];
}

/**
 * Verifies a compact JWT's signature and registered claims; every failure becomes an
 * {@link UnauthenticatedError}.
 */
export async function verifyStrict(
  token: string,
  getKey: JWTVerifyGetKey,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new UnauthenticatedError('malformed');
  }
  try {
    const { payload } = await jwtVerify(token, getKey, options);
    return payload;
  } catch (err) {
    throw toUnauthenticated(err);
  }
}
