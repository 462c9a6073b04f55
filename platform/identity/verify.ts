import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';

import { principalFromClaims } from './claims.js';
import { UnauthenticatedError } from './errors.js';
import type { Principal } from './principal.js';
import { assertAsymmetricAlgorithms, verifyStrict } from './strict-verify.js';
import {
  DEFAULT_VERIFIED_TOKENS,
  verifiedTokenCache,
  type FreshVerification,
} from './verified-tokens.js';

export { UnauthenticatedError, type UnauthenticatedReason } from './errors.js';

/** The longest user token accepted by default (exp - iat, and age since iat): 12 hours. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SEC = 43_200;
/** How long a fetched JWKS is used before it is fetched again (jose's default): 10 minutes. */
export const DEFAULT_JWKS_MAX_AGE_MS = 600_000;

export interface TokenVerifierOptions {
  /** Expected `iss`, compared exactly. */
  issuer: string;
  /** Expected `aud` (one of the token's audiences). */
  audience: string;
  /** Allow-list of asymmetric JWS algorithms; `none` and HS* are refused at creation. */
  algorithms: string[];
  /** The issuer's JWKS endpoint, fetched and cached, or a key set held in memory. */
  jwks: URL | JSONWebKeySet;
  /** Leeway for `exp`, `nbf` and `iat`; default 5 seconds. */
  clockToleranceSec?: number;
  /**
   * The longest lifetime accepted: a token whose `exp - iat` exceeds it, or
   * issued longer ago, is refused; default {@link DEFAULT_MAX_TOKEN_LIFETIME_SEC}.
   */
  maxLifetimeSec?: number;
  /** How long a fetched JWKS is used before it is fetched again; default {@link DEFAULT_JWKS_MAX_AGE_MS}. */
  jwksMaxAgeMs?: number;
  /**
   * Verified tokens remembered (LRU) until the earliest of their `exp` and the key
   * set's age; default {@link DEFAULT_VERIFIED_TOKENS}. 0: every token verified in full.
   */
  verifiedTokenCacheEntries?: number;
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
 * audience, `exp`, `iat` and `sub` required, algorithm allow-list, a bounded
 * lifetime (`iat` not in the future beyond the clock tolerance, not older than
 * the maximum lifetime, and `exp - iat` within it), then the claims' shapes.
 * Throws at creation on an unsafe algorithm list or key set.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): TokenVerifier {
  const algorithms = assertAsymmetricAlgorithms(opts.algorithms);
  const keySetMaxAgeMs =
    opts.jwks instanceof URL ? (opts.jwksMaxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS) : Infinity;
  const getKey =
    opts.jwks instanceof URL
      ? createRemoteJWKSet(opts.jwks, { cacheMaxAge: keySetMaxAgeMs })
      : localKeySet(opts.jwks);
  const maxLifetime = opts.maxLifetimeSec ?? DEFAULT_MAX_TOKEN_LIFETIME_SEC;
  if (!Number.isInteger(maxLifetime) || maxLifetime <= 0)
    throw new Error('The maximum token lifetime must be a positive number of seconds');
  const options: JWTVerifyOptions = {
    issuer: opts.issuer,
    audience: opts.audience,
    algorithms,
    requiredClaims: ['exp', 'iat', 'sub'],
    // jose then refuses an iat in the future (beyond the tolerance) or older than this.
    maxTokenAge: maxLifetime,
    clockTolerance: opts.clockToleranceSec ?? 5,
  };
  const fresh = async (token: string): Promise<FreshVerification> => {
    let key: FreshVerification['key'] | undefined;
    const payload = await verifyStrict(
      token,
      async (header, input) => (key = await getKey(header, input)),
      options,
    );
    // Both are numbers here: jose checked them as NumericDates.
    const exp = payload.exp ?? 0;
    if (exp - (payload.iat ?? 0) > maxLifetime)
      throw new UnauthenticatedError('too-long-lived', 'exp');
    const principal = principalFromClaims(payload);
    if (key === undefined) throw new UnauthenticatedError('unknown-key');
    return { principal, key, exp };
  };
  const entries = opts.verifiedTokenCacheEntries ?? DEFAULT_VERIFIED_TOKENS;
  if (entries === 0) return { verify: async (token) => (await fresh(token)).principal };
  const cache = verifiedTokenCache(getKey, { maxEntries: entries, keySetMaxAgeMs });
  return { verify: (token) => cache.verify(token, fresh) };
}
