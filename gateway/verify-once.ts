import type { Request } from 'express';
import type { Principal } from '../platform/identity/principal.js';
import type { TokenVerifier } from '../platform/identity/verify.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/;

/** The request's bearer token, or undefined when the header is missing or malformed. */
export function bearerTokenOf(req: Request): string | undefined {
  return BEARER.exec(req.header('authorization') ?? '')?.[1];
}

const verified = new WeakMap<Request, { token: string; principal: Promise<Principal> }>();

/**
 * Verifies a request's bearer token at most once: the rate limiter (which
 * needs the caller before GraphQL runs) and the GraphQL context share the
 * outcome, success or failure.
 */
export function verifyOnce(
  req: Request,
  token: string,
  verifier: TokenVerifier,
): Promise<Principal> {
  const known = verified.get(req);
  if (known?.token === token) return known.principal;
  const principal = verifier.verify(token);
  // Whoever awaits it handles a refusal; this only keeps an unawaited one quiet.
  principal.catch(() => undefined);
  verified.set(req, { token, principal });
  return principal;
}
