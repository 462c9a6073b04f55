import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';

import { principalFromClaims } from './claims.js';
import type { Principal } from './principal.js';
import { assertAsymmetricAlgorithms, verifyStrict } from './strict-verify.js';

export { UnauthenticatedError, type UnauthenticatedReason } from './errors.js';

export interface TokenVerifierOptions {
  /** Expected `iss`, compared exactly. */
  issuer: string;
  /** Expected `aud` (one of the token's audiences). */
  audience: string;
  /** Allow-list of asymmetric JWS algorithms; `none` and HS* are refused at creation. */
  algorithms: string[];
  /** The issuer's JWKS endpoint, fetched and cached, or a key set held in memory. */
  jwks: URL | JSONWebKeySet;
  /** Leeway for `exp` and `nbf`; default 5 seconds. */
  clockToleranceSec?: number;
}

export interface TokenVerifier {
  /** Verifies a bearer token and returns its Principal; throws UnauthenticatedError. */
  verify(token: string): Promise<Principal>;
}

function localKeySet(jwks: JSONWebKeySet): JWTVerifyGetKey {
  // A symmetric key in the set would turn its holder into an issuer.
  if (!Array.isArray(jwks.keys) || jwks.keys.some((k) => k.kty === 'oct' || 'd' in k)) {
    throw new Error('The verification key set must hold public asymmetric keys only');
  }
  return createLocalJWKSet(jwks);
}

/**
 * Builds the user-token verifier: signature against the issuer's JWKS, issuer,
 * audience, `exp` and `sub` required, algorithm allow-list, then the claims' shapes.
 * Throws at creation on an unsafe algorithm list or key set.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const algorithms = assertAsymmetricAlgorithms(opts.algorithms);
  const getKey = opts.jwks instanceof URL ? createRemoteJWKSet(opts.jwks) : localKeySet(opts.jwks);
  const options: JWTVerifyOptions = {
    issuer: opts.issuer,
    audience: opts.audience,
    algorithms,
    requiredClaims: ['exp', 'sub'],
    clockTolerance: opts.clockToleranceSec ?? 5,
  };
  return {
    async verify(token: string): Promise<Principal> {
      return principalFromClaims(await verifyStrict(token, getKey, options));
    },
  };
}
