import { randomUUID } from 'node:crypto';
import path from 'node:path';

import { decodeJwt, importJWK, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';

import { claimsFromPrincipal } from './claims.js';
import { DEV_SCOPES } from './dev-principal.js';
import { loadOrCreatePrivateJwk, publicJwkOf } from './keys.js';
import type { Principal } from './principal.js';
import { assertPurposeAllowed } from './purpose-policy.js';
import { DEFAULT_MAX_TOKEN_LIFETIME_SEC } from './verify.js';

export { DEV_IDS, DEV_SCOPES, devPrincipal } from './dev-principal.js';

const KEY_FILE = 'dev-issuer.jwk.json';

/** The dev issuer's URL: the gateway itself serves its discovery document and JWKS. */
export function devIssuerUrl(port: number): string {
  return `http://localhost:${port}`;
}

/** A time: a number is seconds from now (negative for the past); a string is jose's syntax ('1h', '-2m'). */
export type RelativeTime = string | number;

export interface DevSignOptions {
  /** Default '1h'. */
  expiresIn?: RelativeTime;
  notBefore?: RelativeTime;
  /**
   * Claims added to (or replacing) the principal's, unchecked: for tests of what the
   * verifier refuses. iss, aud, iat, exp and nbf stay as set here.
   */
  extraClaims?: Record<string, unknown>;
  /** Overrides the issuer's default audience. */
  audience?: string | string[];
}

function at(time: RelativeTime, now: number): string | number {
  return typeof time === 'number' ? now + time : time;
}

/** A development OpenID issuer with its own ES256 key; production uses a real OIDC provider. */
export class DevIssuer {
  private constructor(
    readonly issuerUrl: string,
    readonly audience: string,
    private readonly key: CryptoKey,
    private readonly publicJwk: JWK,
    /** The longest token it signs (exp - iat), as the verifier allows (OIDC_MAX_TOKEN_LIFETIME). */
    readonly maxLifetimeSec: number,
  ) {}

  /** Reads `<keysDir>/dev-issuer.jwk.json`, creating it (mode 0600) on first use. */
  static async load(
    keysDir: string,
    issuerUrl: string,
    audience: string,
    maxLifetimeSec: number = DEFAULT_MAX_TOKEN_LIFETIME_SEC,
  ): Promise<DevIssuer> {
    const jwk = await loadOrCreatePrivateJwk(path.join(keysDir, KEY_FILE), 'ES256');
    const key = await importJWK(jwk, 'ES256');
    if (key instanceof Uint8Array) throw new Error('dev issuer key: not an asymmetric key');
    return new DevIssuer(issuerUrl, audience, key, publicJwkOf(jwk), maxLifetimeSec);
  }

  get kid(): string {
    return this.publicJwk.kid ?? '';
  }

  /**
   * Signs an access token carrying `principal`. Throws, signing nothing, when
   * the principal's purpose of use is not one its roles may assert or the
   * token would outlive the verifier's maximum lifetime.
   */
  async sign(principal: Principal, opts: DevSignOptions = {}): Promise<string> {
    assertPurposeAllowed(principal);
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ ...claimsFromPrincipal(principal), ...opts.extraClaims })
      .setProtectedHeader({ alg: 'ES256', kid: this.kid, typ: 'JWT' })
      .setIssuer(this.issuerUrl)
      .setAudience(opts.audience ?? this.audience)
      .setIssuedAt(now)
      .setExpirationTime(at(opts.expiresIn ?? '1h', now))
      .setJti(randomUUID());
    if (opts.notBefore !== undefined) jwt.setNotBefore(at(opts.notBefore, now));
    const token = await jwt.sign(this.key);
    const { exp = now, iat = now } = decodeJwt(token);
    if (exp - iat > this.maxLifetimeSec)
      throw new RangeError(
        `Token lifetime ${exp - iat} s exceeds the maximum of ${this.maxLifetimeSec} s (OIDC_MAX_TOKEN_LIFETIME)`,
      );
    return token;
  }

  /** The public key set to serve at `/.well-known/jwks.json`. */
  jwks(): JSONWebKeySet {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** The OpenID discovery document to serve at `/.well-known/openid-configuration`. */
  openidConfiguration(): Record<string, unknown> {
    const base = this.issuerUrl.replace(/\/+$/, '');
    const scopes = new Set(['openid', 'fhirUser', 'launch/patient']);
    for (const s of Object.values(DEV_SCOPES).flatMap((v) => v.split(' '))) scopes.add(s);
    return {
      issuer: this.issuerUrl,
      jwks_uri: `${base}/.well-known/jwks.json`,
      token_endpoint: `${base}/oauth/token`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      response_types_supported: ['token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      scopes_supported: [...scopes],
      claims_supported: [
        'sub',
        'roles',
        'scope',
        'client_id',
        'patient',
        'fhirUser',
        'practitioner',
        'org',
        'purpose_of_use',
      ],
    };
  }
}
