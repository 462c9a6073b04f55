import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../../platform/http/metrics.js';
import type { TokenVerifier } from '../../platform/identity/verify.js';
import { bearerTokenOf, verifyOnce } from '../verify-once.js';
import { requestIdOf } from '../request-id.js';
import type { RateLimiter, RateLimitScope } from './limiter.js';

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

const WHO: Record<RateLimitScope, string> = {
  user: 'this user',
  client: 'this client app',
  address: 'requests without a valid token from this address',
};

/**
 * Limits each verified caller per user and per client before GraphQL runs,
 * and requests without a valid token (missing, malformed, expired, forged)
 * per client address (`req.ip`: behind a proxy, set express's `trust proxy`
 * so it is the client's). Over a limit: HTTP 429 with `Retry-After` (seconds)
 * and a GraphQL error `RATE_LIMITED` carrying `retryAfter`. An unauthenticated
 * request within its address's allowance goes on to the GraphQL context,
 * which refuses it with 401 and reuses this verification.
 */
export function rateLimitMiddleware(opts: RateLimitMiddlewareOptions): RequestHandler {
  return async (req, res, next) => {
    const token = bearerTokenOf(req);
    const caller = token
      ? await verifyOnce(req, token, opts.verifier).catch(() => undefined)
      : undefined;
    const points = operationsIn(req.body);
    const verdict = caller
      ? await opts.limiter.consume(caller, points)
      : await opts.limiter.consumeUnauthenticated(req.ip ?? 'unknown', points);
    if (verdict.allowed) return next();
    const who = WHO[verdict.scope];
    if (verdict.crossed)
      opts.log.warn(
        {
          requestId: requestIdOf(req),
          scope: verdict.scope,
          ...(caller ? { clientId: caller.clientId, sub: caller.sub } : { ip: req.ip }),
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
