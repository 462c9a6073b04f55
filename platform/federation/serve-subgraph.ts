import type { MikroORM } from '@mikro-orm/postgresql';
import type express from 'express';
import { applyMiddleware, type IMiddlewareGenerator } from 'graphql-middleware';
import type { Logger } from 'pino';
import { startEventWorker, type EventHandler, type EventWorker } from '../events/consumer.js';
import type { JobHandler } from '../events/jobs.js';
import type { ServiceMetrics } from '../http/metrics.js';
import { metricsTokenOf } from '../http/metrics-token.js';
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
  /**
   * The subgraph's consumer tasks and plain jobs (given its logger), run by an
   * event worker on its own schema; stopped before the ORM closes.
   */
  tasks?: (log: Logger) => {
    handlers: Record<string, EventHandler>;
    jobs?: Record<string, JobHandler>;
    /** Tasks run by a runner of their own (`EventWorkerOptions.lane`). */
    lane?: readonly string[];
    /** What the inbox keeps of an event id (`EventWorkerOptions.inboxKey`). */
    inboxKey?: (eventId: string) => string;
  };
  /** Its Postgres schema (the worker's inbox), required with `tasks`. */
  schema?: string;
  /** Run the event worker in this process (default true). */
  worker?: boolean;
  /** Extra HTTP routes beside `/graphql` that do not come through the gateway (a provider's webhook). */
  routes?: (app: express.Express) => void;
}

/** Milliseconds between the event worker's polls when LISTEN/NOTIFY is quiet. */
const WORKER_POLL_MS = 500;

/**
 * Starts a subgraph from its parts: its event worker (if it has tasks), its schema
 * behind its shield, and the HTTP server. On stop, or when any step fails,
 * whatever was started is stopped and the ORM closed.
 */
export async function serveSubgraph<C extends RequestContext>(
  parts: SubgraphParts<C>,
): Promise<RunningService> {
  const { args, orm } = parts;
  const log = args.log.child({ subgraph: parts.name });
  let worker: EventWorker | undefined;
  try {
    if (parts.tasks && parts.worker !== false) {
      if (!parts.schema) throw new Error(`${parts.name}: an event worker needs its schema`);
      worker = await startEventWorker({
        connectionString: args.databaseUrl,
        schema: parts.schema,
        ...parts.tasks(log),
        orm,
        log,
        pollInterval: WORKER_POLL_MS,
      });
    }
    const { schema } = await parts.buildSchema();
    return await startSubgraphServer({
      name: parts.name,
      port: args.port,
      host: args.config.BIND_HOST,
      schema: applyMiddleware(schema, parts.permissions),
      orm,
      log,
      metrics: parts.metrics,
      verifier: args.verifier,
      production: args.config.production,
      timeBudgetMs: args.config.SUBGRAPH_TIME_BUDGET_MS,
      metricsToken: metricsTokenOf(args.config),
      context: parts.context,
      ...(parts.routes ? { routes: parts.routes } : {}),
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
