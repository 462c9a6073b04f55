import { randomUUID, type KeyObject } from 'node:crypto';
import path from 'node:path';

import type { JWK } from 'jose';

import { claimsFromPrincipal, principalFromClaims } from './claims.js';
import {
  ed25519PrivateKey,
  ed25519PublicKey,
  encodedEdDsaHeader,
  openEdDsa,
  signEdDsa,
} from './compact-jws.js';
import { UnauthenticatedError } from './errors.js';
import { checkRegisteredClaims, type RegisteredClaimRules } from './internal-claims.js';
import { checkPrivateJwk, loadOrCreatePrivateJwk, publicJwkOf } from './keys.js';
import { operationHash, type BoundOperation } from './operation-hash.js';
import type { Principal } from './principal.js';
import { memoryReplayCache, type ReplayCache } from './replay-cache.js';

export const INTERNAL_ISSUER = 'carefed-gateway';
/** Each subgraph's audience is this, a colon, and its name: a token opens one subgraph only. */
export const INTERNAL_AUDIENCE = 'carefed-subgraph';
/** A distinct `typ` so no other JWT, however signed, passes as an internal token. */
export const INTERNAL_TOKEN_TYPE = 'carefed-internal+jwt';
/** Default lifetime of a gateway token: it only has to reach the subgraph. */
export const DEFAULT_INTERNAL_TTL_SECONDS = 10;
/** Clock skew tolerated between gateway and subgraph hosts. */
const CLOCK_TOLERANCE_SECONDS = 5;
const KEY_FILE = 'gateway-signing.jwk.json';
const MAX_REQUEST_ID = 200;
const SUBGRAPH_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The audience of the tokens for subgraph `name`. */
export function subgraphAudience(name: string): string {
  if (!SUBGRAPH_NAME.test(name)) throw new Error(`not a subgraph name: ${name}`);
  return `${INTERNAL_AUDIENCE}:${name}`;
}

export interface InternalTokenContext {
  requestId: string;
  ip?: string;
}

/** What one gateway token is for: one fetch of one operation from one subgraph. */
export interface InternalTokenTarget extends InternalTokenContext {
  /** The subgraph the token is sent to (its audience). */
  subgraph: string;
  /** The operation text and variables sent with it (their hash is signed in). */
  operation: BoundOperation;
}

export interface VerifiedInternalToken extends InternalTokenContext {
  principal: Principal;
}

/**
 * Signs the gateway→subgraph token that carries the verified principal: a
 * compact EdDSA JWS made with `node:crypto` under a key object and header
 * prepared once, so one fetch's token costs one Ed25519 signature.
 */
export class InternalTokenSigner {
  private readonly header: string;

  private constructor(
    private readonly key: KeyObject,
    /** Public half, for subgraphs started in the same process. */
    readonly publicJwk: JWK,
    private readonly ttlSeconds: number,
  ) {
    this.header = encodedEdDsaHeader(String(publicJwk.kid), INTERNAL_TOKEN_TYPE);
  }

  /**
   * Loads (or creates) `<keysDir>/gateway-signing.jwk.json`, or takes an
   * Ed25519 private JWK. Tokens live `ttlSeconds` (default 10).
   */
  static async load(
    source: string | JWK,
    ttlSeconds: number = DEFAULT_INTERNAL_TTL_SECONDS,
  ): Promise<InternalTokenSigner> {
    const jwk =
      typeof source === 'string'
        ? await loadOrCreatePrivateJwk(path.join(source, KEY_FILE), 'EdDSA')
        : await checkPrivateJwk(source, 'EdDSA', 'gateway signing key');
    return new InternalTokenSigner(ed25519PrivateKey(jwk), publicJwkOf(jwk), ttlSeconds);
  }

  /**
   * A token for one fetch: `principal`, the request id and client IP, for
   * subgraph `target.subgraph` only (audience), bound to the hash of the
   * operation sent (`oph`), with a fresh single-use id (`jti`), valid a few seconds.
   */
  signNow(principal: Principal, target: InternalTokenTarget): string {
    if (target.requestId.length === 0 || target.requestId.length > MAX_REQUEST_ID) {
      throw new Error('requestId must be 1 to 200 characters');
    }
    const now = Math.floor(Date.now() / 1000);
    return signEdDsa(
      this.header,
      {
        ...claimsFromPrincipal(principal),
        rid: target.requestId,
        oph: operationHash(target.operation),
        ...(target.ip ? { ip: target.ip } : {}),
        iss: INTERNAL_ISSUER,
        aud: subgraphAudience(target.subgraph),
        jti: randomUUID(),
        iat: now,
        exp: now + this.ttlSeconds,
      },
      this.key,
    );
  }

  /** {@link signNow}, as a promise. */
  sign(principal: Principal, target: InternalTokenTarget): Promise<string> {
    return new Promise((resolve) => resolve(this.signNow(principal, target)));
  }
}

/** The gateway's public key from `<keysDir>`; creates the key pair if it does not exist yet. */
export async function loadGatewayPublicJwk(keysDir: string): Promise<JWK> {
  return publicJwkOf(await loadOrCreatePrivateJwk(path.join(keysDir, KEY_FILE), 'EdDSA'));
}

/** What a subgraph checks a token against: itself, and the body it received. */
export interface InternalTokenExpectation {
  /** The verifying subgraph's own name. */
  subgraph: string;
  /** The operation in the request body. */
  operation: BoundOperation;
}

export interface InternalTokenVerifier {
  /**
   * Verifies a gateway token for this subgraph and this body, and spends its
   * single-use id; throws UnauthenticatedError on any failure (a replay:
   * `bad-claims` on `jti`; another body: on `oph`).
   */
  verify(token: string, expected: InternalTokenExpectation): Promise<VerifiedInternalToken>;
  /** Closes the replay cache's connection, if any. */
  close(): Promise<void>;
}

export interface InternalTokenVerifierOptions {
  /** Longest lifetime accepted (`exp - iat`), the signer's; default 10 s. */
  ttlSeconds?: number;
  /** Where spent token ids are kept; default: this process's memory. */
  replayCache?: ReplayCache;
}

/**
 * Builds the subgraph-side verifier for tokens signed by the gateway key
 * `publicJwk`, whose key object is made once here.
 */
export function createInternalTokenVerifier(
  publicJwk: JWK,
  opts: InternalTokenVerifierOptions = {},
): InternalTokenVerifier {
  if (publicJwk.kty !== 'OKP' || publicJwk.crv !== 'Ed25519' || typeof publicJwk.kid !== 'string') {
    throw new Error('gateway public key: expected an Ed25519 JWK with a kid');
  }
  const kid = publicJwk.kid;
  const key = ed25519PublicKey(publicJwk);
  const ttl = opts.ttlSeconds ?? DEFAULT_INTERNAL_TTL_SECONDS;
  const replay = opts.replayCache ?? memoryReplayCache();
  const rulesFor = new Map<string, RegisteredClaimRules>();
  const rules = (subgraph: string): RegisteredClaimRules => {
    let r = rulesFor.get(subgraph);
    if (!r) {
      r = {
        typ: INTERNAL_TOKEN_TYPE,
        issuer: INTERNAL_ISSUER,
        audience: subgraphAudience(subgraph),
        required: ['exp', 'iat', 'sub', 'rid', 'jti', 'oph'],
        maxAgeSec: ttl + CLOCK_TOLERANCE_SECONDS,
        toleranceSec: CLOCK_TOLERANCE_SECONDS,
      };
      // One entry per subgraph name this service answers as: bounded by the registry.
      rulesFor.set(subgraph, r);
    }
    return r;
  };
  return {
    async verify(token, expected): Promise<VerifiedInternalToken> {
      const opened = openEdDsa(token, kid, key);
      checkRegisteredClaims(opened, rules(expected.subgraph));
      const { payload } = opened;
      const { rid, ip, jti, oph, exp, iat } = payload;
      if (typeof rid !== 'string' || rid.length === 0 || rid.length > MAX_REQUEST_ID) {
        throw new UnauthenticatedError('bad-claims', 'rid');
      }
      if (ip !== undefined && typeof ip !== 'string')
        throw new UnauthenticatedError('bad-claims', 'ip');
      if (typeof exp !== 'number' || typeof iat !== 'number' || exp - iat > ttl)
        throw new UnauthenticatedError('bad-claims', 'exp');
      if (oph !== operationHash(expected.operation))
        throw new UnauthenticatedError('bad-claims', 'oph');
      const principal = principalFromClaims(payload);
      // Spent last: a token refused for any other reason does not burn its id.
      const expiresAt = (exp + CLOCK_TOLERANCE_SECONDS) * 1000;
      if (typeof jti !== 'string' || jti.length > 100 || !(await replay.claim(jti, expiresAt)))
        throw new UnauthenticatedError('bad-claims', 'jti');
      return ip === undefined ? { principal, requestId: rid } : { principal, requestId: rid, ip };
    },
    close: () => replay.close(),
  };
}
