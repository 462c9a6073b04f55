import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import type express from 'express';
import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { boundedDocumentStore } from '../cache/apollo-caches.js';
import { formatError } from '../errors/format.js';
import { integrity, unauthenticated } from '../errors/index.js';
import { requestLogPlugin } from '../http/request-log-plugin.js';
import { nulGuardPlugin } from '../http/nul-guard.js';
import { startHttpService, type RunningService } from '../http/server.js';
import type { ServiceMetrics } from '../http/metrics.js';
import type { InternalTokenVerifier } from '../identity/internal-token.js';
import { refineLimitCode, subgraphLimits } from '../limits/index.js';
import type { RequestContext } from './context.js';
import { enforceTimeBudget, startTimeBudget, timeBudgetPlugin } from './time-budget.js';

/** The header carrying the gateway-signed principal token. */
export const INTERNAL_TOKEN_HEADER = 'x-carefed-internal';

export interface SubgraphServerOptions<C extends RequestContext> {
  name: string;
  port: number;
  host: string;
  /** The subgraph schema with its shield applied. */
  schema: GraphQLSchema;
  orm: MikroORM;
  log: Logger;
  metrics: ServiceMetrics;
  verifier: InternalTokenVerifier;
  production: boolean;
  /** Milliseconds one request may take before it ends with TIME_BUDGET_EXCEEDED. */
  timeBudgetMs: number;
  /** The bearer credential `/metrics` requires; unset: not served. */
  metricsToken?: string;
  /** Adds the subgraph's loaders and services to the base context. */
  context: (base: RequestContext) => C;
  /** Runs when the server stops, after HTTP has drained. */
  onStop?: () => Promise<void>;
  /** Extra routes beside `/graphql`, outside the gateway-token check (each authenticates itself). */
  routes?: (app: express.Express) => void;
}

/** The body a subgraph request carries (the operation its token must be bound to). */
function operationOf(req: Request): { query: unknown; variables?: unknown } {
  const body = req.body as { query?: unknown; variables?: unknown } | undefined;
  return { query: body?.query, variables: body?.variables };
}

/**
 * Serves one subgraph. Every GraphQL request must carry a token the gateway
 * signed for this subgraph and this very operation, not seen before;
 * anything else (a client reaching the subgraph directly, a replayed or
 * borrowed token) gets 401. The gateway's depth, alias and cost limits apply
 * here too, and each request has a time budget. Each request gets a forked
 * EntityManager and a logger tagged with the gateway's request id.
 */
export async function startSubgraphServer<C extends RequestContext>(
  opts: SubgraphServerOptions<C>,
): Promise<RunningService> {
  const { validationRules, plugins: limitPlugins } = subgraphLimits<C>();
  const apollo = new ApolloServer<C>({
    schema: enforceTimeBudget(opts.schema),
    validationRules,
    documentStore: boundedDocumentStore(),
    // The gateway sends operation text (its token is bound to it); no hash-only requests to cache.
    persistedQueries: false,
    introspection: !opts.production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: opts.production,
    formatError: (formatted, original) => {
      const cause = unwrapResolverError(original) as { code?: unknown; name?: unknown } | undefined;
      if (cause?.code === 'DATA_INTEGRITY') {
        // A ciphertext failed authentication: tampering or a misplaced value. Say so, without data.
        opts.log.error(
          { err: String(cause.name), path: formatted.path },
          'field integrity check failed',
        );
        return {
          ...formatted,
          message: integrity().message,
          extensions: { code: 'DATA_INTEGRITY' },
        };
      }
      const out = formatError(refineLimitCode(formatted, original), cause);
      if (out.extensions?.code === 'INTERNAL_SERVER_ERROR')
        opts.log.error(
          { err: typeof cause?.name === 'string' ? cause.name : 'unknown', path: formatted.path },
          'internal error',
        );
      return out;
    },
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      requestLogPlugin<C>(opts.log, opts.metrics),
      nulGuardPlugin<C>(),
      ...limitPlugins,
      timeBudgetPlugin<C>(),
    ],
  });
  const context = async (req: Request): Promise<C> => {
    const header = req.header(INTERNAL_TOKEN_HEADER);
    if (!header) throw unauthenticated('This service accepts requests only through the gateway');
    const budget = startTimeBudget(opts.timeBudgetMs);
    const verified = await opts.verifier
      .verify(header, { subgraph: opts.name, operation: operationOf(req) })
      .catch(() => {
        throw unauthenticated('This service accepts requests only through the gateway');
      });
    const requestId = verified.requestId || randomUUID();
    return opts.context({
      principal: verified.principal,
      requestId,
      ip: verified.ip,
      em: opts.orm.em.fork(),
      log: opts.log.child({ requestId }),
      now: new Date(),
      budget,
    });
  };
  const running = await startHttpService(apollo, {
    port: opts.port,
    host: opts.host,
    log: opts.log,
    metrics: opts.metrics,
    metricsToken: opts.metricsToken,
    context,
    ready: () => opts.orm.isConnected(),
    ...(opts.routes ? { routes: opts.routes } : {}),
  });
  return {
    ...running,
    stop: async () => {
      await running.stop();
      await opts.onStop?.();
    },
  };
}
