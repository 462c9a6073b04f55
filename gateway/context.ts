import type { Request } from 'express';
import { unauthenticated } from '../platform/errors/index.js';
import type { InternalTokenSigner } from '../platform/identity/internal-token.js';
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

const signed = new WeakMap<object, { token: Promise<string>; at: number }>();

/** A request's token is signed again once it is this old (it lives 60 s): long plans never send a stale one. */
const RESIGN_AFTER_MS = 30_000;

/**
 * The token that carries this request's principal to the subgraphs, signed
 * once per request however many subgraph fetches its plan makes (every
 * subgraph accepts the same audience, so one token serves them all). A
 * request still fetching 30 s later gets a fresh one; a signing that failed
 * is not kept.
 */
export function internalTokenOf(
  context: Pick<GatewayContext, 'principal' | 'requestId' | 'ip'>,
  signer: InternalTokenSigner,
  now: number = Date.now(),
): Promise<string> {
  const known = signed.get(context);
  if (known && now - known.at < RESIGN_AFTER_MS) return known.token;
  const token = signer.sign(context.principal, { requestId: context.requestId, ip: context.ip });
  signed.set(context, { token, at: now });
  token.catch(() => {
    if (signed.get(context)?.token === token) signed.delete(context);
  });
  return token;
}
