import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { bodyErrors } from './body-errors.js';
import type { ServiceMetrics } from './metrics.js';
import { requireMetricsToken } from './metrics-token.js';

export interface HttpServiceOptions<C extends BaseContext> {
  port: number;
  host?: string;
  log: Logger;
  metrics: ServiceMetrics;
  /** The bearer credential `/metrics` requires (`metricsTokenOf`); unset: `/metrics` is not served. */
  metricsToken?: string;
  /** Builds the GraphQL context; throw a GraphQLError to refuse the request. */
  context: (req: Request) => Promise<C>;
  /** Called by `/readyz`; reject or return false when a dependency is down. */
  ready: () => Promise<boolean>;
  /** Extra routes mounted before `/graphql` (JWKS, token endpoint, explorer). */
  routes?: (app: express.Express) => void;
  /** Middleware in front of `/graphql` (authentication, rate limits). */
  before?: RequestHandler[];
  bodyLimit?: string;
}

/** A running HTTP service: where it listens and how to stop it. */
export interface RunningService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Serves an Apollo server at `/graphql` with `/healthz` (liveness), `/readyz`
 * (readiness, 503 while draining) and `/metrics` (Prometheus, only with the
 * operator's bearer credential `metricsToken`; not served without one). `stop()` drains:
 * readiness fails first, in-flight requests finish, then the server closes.
 */
export async function startHttpService<C extends BaseContext>(
  apollo: ApolloServer<C>,
  opts: HttpServiceOptions<C>,
): Promise<RunningService> {
  const app = express();
  app.disable('x-powered-by');
  // An ETag hashes every response body (express' default) for a cache that never revalidates a POST.
  app.set('etag', false);
  let draining = false;
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => {
    if (draining) return void res.status(503).json({ status: 'draining' });
    opts
      .ready()
      .then((ok) => void res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready' }))
      .catch(() => void res.status(503).json({ status: 'not ready' }));
  });
  if (opts.metricsToken)
    app.get('/metrics', requireMetricsToken(opts.metricsToken), (_req, res) => {
      opts.metrics.registry
        .metrics()
        .then((body) => void res.type(opts.metrics.registry.contentType).send(body))
        .catch(() => void res.status(500).end());
    });
  opts.routes?.(app);
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: opts.bodyLimit ?? '1mb' }),
    bodyErrors,
    ...(opts.before ?? []),
    expressMiddleware(apollo, { context: ({ req }) => opts.context(req) }),
  );
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    stop: async () => {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(force);
      await apollo.stop();
    },
  };
}
