import type { Config } from '../platform/config/index.js';
import { DevIssuer, devIssuerUrl } from '../platform/identity/dev-issuer.js';
import { createTokenVerifier, type TokenVerifier } from '../platform/identity/verify.js';

/**
 * How the gateway verifies user tokens: against OIDC_ISSUER's JWKS when one is
 * configured, else against the built-in development issuer (never under
 * NODE_ENV=production, where a missing issuer stops the start).
 */
export async function loadUserVerifier(
  config: Config,
): Promise<{ verifier: TokenVerifier; devIssuer?: DevIssuer }> {
  const algorithms = config.OIDC_ALGORITHMS.split(',').map((a) => a.trim());
  if (config.OIDC_ISSUER) {
    const jwks = new URL(
      config.OIDC_JWKS_URL ?? `${config.OIDC_ISSUER.replace(/\/$/, '')}/.well-known/jwks.json`,
    );
    return {
      verifier: createTokenVerifier({
        issuer: config.OIDC_ISSUER,
        audience: config.OIDC_AUDIENCE,
        algorithms,
        jwks,
        maxLifetimeSec: config.OIDC_MAX_TOKEN_LIFETIME,
      }),
    };
  }
  if (config.NODE_ENV === 'production')
    throw new Error(
      'OIDC_ISSUER is not set: under NODE_ENV=production the gateway needs an OIDC issuer (and OIDC_JWKS_URL)',
    );
  const issuerUrl = devIssuerUrl(config.GATEWAY_PORT);
  const devIssuer = await DevIssuer.load(
    config.keysDir,
    issuerUrl,
    config.OIDC_AUDIENCE,
    config.OIDC_MAX_TOKEN_LIFETIME,
  );
  return {
    devIssuer,
    verifier: createTokenVerifier({
      issuer: issuerUrl,
      audience: config.OIDC_AUDIENCE,
      algorithms,
      jwks: devIssuer.jwks(),
      maxLifetimeSec: config.OIDC_MAX_TOKEN_LIFETIME,
    }),
  };
}
