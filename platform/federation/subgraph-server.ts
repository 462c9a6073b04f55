import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { formatError } from '../errors/format.js';
import { integrity, unauthenticated } from '../errors/index.js';
import { requestLogPlugin } from '../http/request-log-plugin.js';
import { startHttpService, type RunningService } from '../http/server.js';
import type { ServiceMetrics } from '../http/metrics.js';
import type { InternalTokenVerifier } from '../identity/internal-token.js';
import type { RequestContext } from './context.js';

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
  /** Adds the subgraph's loaders and services to the base context. */
  context: (base: RequestContext) => C;
  /** Runs when the server stops, after HTTP has drained. */
  onStop?: () => Promise<void>;
}

/**
 * Serves one subgraph. Every GraphQL request must carry a token the gateway
 * signed; anything else (a client reaching the subgraph directly) gets 401.
 * Each request gets a forked EntityManager and a logger tagged with the
 * gateway's request id.
 */
export async function startSubgraphServer<C extends RequestContext>(
  opts: SubgraphServerOptions<C>,
): Promise<RunningService> {
  const apollo = new ApolloServer<C>({
    schema: opts.schema,
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
      const out = formatError(formatted, cause);
      if (out.extensions?.code === 'INTERNAL_SERVER_ERROR')
        opts.log.error(
          { err: typeof cause?.name === 'string' ? cause.name : 'unknown', path: formatted.path },
          'internal error',
        );
      return out;
    },
    plugins: [ApolloServerPluginInlineTraceDisabled(), requestLogPlugin<C>(opts.log, opts.metrics)],
  });
  const context = async (req: Request): Promise<C> => {
    const header = req.header(INTERNAL_TOKEN_HEADER);
    if (!header) throw unauthenticated('This service accepts requests only through the gateway');
    const verified = await opts.verifier.verify(header).catch(() => {
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
    });
  };
  const running = await startHttpService(apollo, {
    port: opts.port,
    host: opts.host,
    log: opts.log,
    metrics: opts.metrics,
    context,
    ready: () => opts.orm.isConnected(),
  });
  return {
    ...running,
    stop: async () => {
      await running.stop();
      await opts.onStop?.();
    },
  };
}
