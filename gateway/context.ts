import type { Request } from 'express';
import { unauthenticated } from '../platform/errors/index.js';
import type { Principal } from '../platform/identity/principal.js';
import type { TokenVerifier } from '../platform/identity/verify.js';
import { requestIdOf } from './request-id.js';
import { bearerTokenOf, verifyOnce } from './verify-once.js';

/** What the gateway knows of a request. */
export interface GatewayContext {
  principal: Principal;
  /** Assigned by the gateway (answered in `x-request-id`), sent to subgraphs and audited. */
  requestId: string;
  clientRequestId?: string;
  ip?: string;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The client's own `x-request-id`, when well formed. It is logged beside ours
 * for correlation but never used as the request id: the id accesses are
 * audited under is always the gateway's, so a client cannot reuse another's.
 */
export function clientRequestIdOf(req: Request): string | undefined {
  const given = req.header('x-request-id');
  return given && CLIENT_REQUEST_ID.test(given) ? given : undefined;
}

/**
 * Verifies the bearer token. Missing or invalid: UNAUTHENTICATED with HTTP
 * 401, and the reason (never the token) goes to the log only.
 */
export async function gatewayContext(
  req: Request,
  verifier: TokenVerifier,
  onRefused: (reason: string, requestId: string) => void,
): Promise<GatewayContext> {
  const requestId = requestIdOf(req);
  const token = bearerTokenOf(req);
  if (!token) {
    onRefused('missing-token', requestId);
    throw unauthenticated('A bearer token is required (Authorization: Bearer <token>)');
  }
  try {
    const principal = await verifyOnce(req, token, verifier);
    return { principal, requestId, clientRequestId: clientRequestIdOf(req), ip: req.ip };
  } catch (err) {
    onRefused((err as { reason?: string }).reason ?? 'invalid', requestId);
    throw unauthenticated('Invalid or expired token');
  }
}
