import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../../platform/http/metrics.js';
import type { TokenVerifier } from '../../platform/identity/verify.js';
import { bearerTokenOf, verifyOnce } from '../verify-once.js';
import { requestIdOf } from '../request-id.js';
import type { RateLimiter } from './limiter.js';

export interface RateLimitMiddlewareOptions {
  limiter: RateLimiter;
  verifier: TokenVerifier;
  log: Logger;
  metrics: ServiceMetrics;
}

/** A batched request costs one point per operation. */
function operationsIn(body: unknown): number {
  return Array.isArray(body) ? Math.max(1, body.length) : 1;
}

/**
 * Limits each verified caller per user and per client before GraphQL runs.
 * Over a limit: HTTP 429 with `Retry-After` (seconds) and a GraphQL error
 * `RATE_LIMITED` carrying `retryAfter`. A request without a valid token passes
 * untouched: the GraphQL context refuses it with 401, as it always has, and
 * reuses this verification rather than repeating it.
 */
export function rateLimitMiddleware(opts: RateLimitMiddlewareOptions): RequestHandler {
  return async (req, res, next) => {
    const token = bearerTokenOf(req);
    const caller = token
      ? await verifyOnce(req, token, opts.verifier).catch(() => undefined)
      : undefined;
    if (!caller) return next();
    const verdict = await opts.limiter.consume(caller, operationsIn(req.body));
    if (verdict.allowed) return next();
    const who = verdict.scope === 'user' ? 'this user' : 'this client app';
    if (verdict.crossed)
      opts.log.warn(
        {
          requestId: requestIdOf(req),
          scope: verdict.scope,
          clientId: caller.clientId,
          sub: caller.sub,
          limit: verdict.limit,
        },
        'rate limit reached',
      );
    opts.metrics.requests.inc({ operation: 'unknown', outcome: 'RATE_LIMITED' });
    res.setHeader('Retry-After', String(verdict.retryAfter));
    res.status(429).json({
      errors: [
        {
          message: `Rate limit reached for ${who}; retry after ${verdict.retryAfter} seconds`,
          extensions: {
            code: 'RATE_LIMITED',
            retryAfter: verdict.retryAfter,
            scope: verdict.scope,
          },
        },
      ],
    });
  };
}
