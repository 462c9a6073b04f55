import path from 'node:path';

import {
  createLocalJWKSet,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTVerifyOptions,
} from 'jose';

import { claimsFromPrincipal, principalFromClaims } from './claims.js';
import { UnauthenticatedError } from './errors.js';
import { checkPrivateJwk, loadOrCreatePrivateJwk, publicJwkOf } from './keys.js';
import type { Principal } from './principal.js';
import { verifyStrict } from './strict-verify.js';

export const INTERNAL_ISSUER = 'carefed-gateway';
export const INTERNAL_AUDIENCE = 'carefed-subgraph';
/** A distinct `typ` so no other JWT, however signed, passes as an internal token. */
export const INTERNAL_TOKEN_TYPE = 'carefed-internal+jwt';
const TTL_SECONDS = 60;
const KEY_FILE = 'gateway-signing.jwk.json';
const MAX_REQUEST_ID = 200;

export interface InternalTokenContext {
  requestId: string;
  ip?: string;
}

export interface VerifiedInternalToken extends InternalTokenContext {
  principal: Principal;
}

/** Signs the gateway→subgraph token that carries the verified principal. */
export class InternalTokenSigner {
  private constructor(
    private readonly key: CryptoKey,
    /** Public half, for subgraphs started in the same process. */
    readonly publicJwk: JWK,
  ) {}

  /** Loads (or creates) `<keysDir>/gateway-signing.jwk.json`, or takes an Ed25519 private JWK. */
  static async load(source: string | JWK): Promise<InternalTokenSigner> {
    const jwk =
      typeof source === 'string'
        ? await loadOrCreatePrivateJwk(path.join(source, KEY_FILE), 'EdDSA')
        : await checkPrivateJwk(source, 'EdDSA', 'gateway signing key');
    const key = await importJWK(jwk, 'EdDSA');
    if (key instanceof Uint8Array) throw new Error('gateway signing key: not an asymmetric key');
    return new InternalTokenSigner(key, publicJwkOf(jwk));
  }

  /** A token valid for 60 seconds carrying `principal`, the request id and client IP. */
  async sign(principal: Principal, ctx: InternalTokenContext): Promise<string> {
    if (ctx.requestId.length === 0 || ctx.requestId.length > MAX_REQUEST_ID) {
      throw new Error('requestId must be 1 to 200 characters');
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      ...claimsFromPrincipal(principal),
      rid: ctx.requestId,
      ...(ctx.ip ? { ip: ctx.ip } : {}),
    };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: this.publicJwk.kid, typ: INTERNAL_TOKEN_TYPE })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(INTERNAL_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + TTL_SECONDS)
      .sign(this.key);
  }
}

/** The gateway's public key from `<keysDir>`; creates the key pair if it does not exist yet. */
export async function loadGatewayPublicJwk(keysDir: string): Promise<JWK> {
  return publicJwkOf(await loadOrCreatePrivateJwk(path.join(keysDir, KEY_FILE), 'EdDSA'));
}

export interface InternalTokenVerifier {
  /** Verifies a gateway token; throws UnauthenticatedError on any failure. */
  verify(token: string): Promise<VerifiedInternalToken>;
}

/** Builds the subgraph-side verifier for tokens signed by the gateway key `publicJwk`. */
export function createInternalTokenVerifier(publicJwk: JWK): InternalTokenVerifier {
  if (publicJwk.kty !== 'OKP' || publicJwk.crv !== 'Ed25519' || typeof publicJwk.kid !== 'string') {
    throw new Error('gateway public key: expected an Ed25519 JWK with a kid');
  }
  const getKey = createLocalJWKSet({ keys: [publicJwkOf(publicJwk)] });
  const options: JWTVerifyOptions = {
    issuer: INTERNAL_ISSUER,
    audience: INTERNAL_AUDIENCE,
    algorithms: ['EdDSA'],
    typ: INTERNAL_TOKEN_TYPE,
    requiredClaims: ['exp', 'iat', 'sub', 'rid'],
    maxTokenAge: TTL_SECONDS + 5,
    clockTolerance: 5,
  };
  return {
    async verify(token: string): Promise<VerifiedInternalToken> {
      const payload = await verifyStrict(token, getKey, options);
      const { rid, ip } = payload;
      if (typeof rid !== 'string' || rid.length === 0 || rid.length > MAX_REQUEST_ID) {
        throw new UnauthenticatedError('bad-claims', 'rid');
      }
      if (ip !== undefined && typeof ip !== 'string')
        throw new UnauthenticatedError('bad-claims', 'ip');
      const principal = principalFromClaims(payload);
      return ip === undefined ? { principal, requestId: rid } : { principal, requestId: rid, ip };
    },
  };
}
