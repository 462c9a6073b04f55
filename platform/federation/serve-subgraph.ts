import type { MikroORM } from '@mikro-orm/postgresql';
import { applyMiddleware, type IMiddlewareGenerator } from 'graphql-middleware';
import type { EventWorker } from '../events/consumer.js';
import type { ServiceMetrics } from '../http/metrics.js';
import type { RunningService } from '../http/server.js';
import type { FederatedSchema } from './build-schema.js';
import type { RequestContext } from './context.js';
import type { SubgraphStartArgs } from './run-subgraph.js';
import { startSubgraphServer } from './subgraph-server.js';

/** One subgraph's parts, as `serveSubgraph` puts them together. */
export interface SubgraphParts<C extends RequestContext> {
  name: string;
  args: SubgraphStartArgs;
  /** The opened store's ORM; closed when the service stops (or fails to start). */
  orm: MikroORM;
  metrics: ServiceMetrics;
  buildSchema: () => Promise<FederatedSchema>;
  /** The subgraph's graphql-shield policy. */
  permissions: IMiddlewareGenerator<unknown, C, unknown>;
  context: (base: RequestContext) => C;
  /** Starts the subgraph's event worker, if it has one; stopped before the ORM closes. */
  startWorker?: () => Promise<EventWorker>;
}

/**
 * Starts a subgraph from its parts: its event worker (if any), its schema
 * behind its shield, and the HTTP server. On stop, or when any step fails,
 * whatever was started is stopped and the ORM closed.
 */
export async function serveSubgraph<C extends RequestContext>(
  parts: SubgraphParts<C>,
): Promise<RunningService> {
  const { args, orm } = parts;
  let worker: EventWorker | undefined;
  try {
    worker = await parts.startWorker?.();
    const { schema } = await parts.buildSchema();
    return await startSubgraphServer({
      name: parts.name,
      port: args.port,
      host: args.config.BIND_HOST,
      schema: applyMiddleware(schema, parts.permissions),
      orm,
      log: args.log.child({ subgraph: parts.name }),
      metrics: parts.metrics,
      verifier: args.verifier,
      production: args.config.production,
      context: parts.context,
      onStop: async () => {
        await worker?.stop();
        await orm.close();
      },
    });
  } catch (err) {
    await worker?.stop();
    await orm.close();
    throw err;
  }
}
