import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per service, with the metrics every Carefed service exposes. */
export interface ServiceMetrics {
  registry: Registry;
  requests: Counter<'operation' | 'outcome'>;
  requestSeconds: Histogram<'operation'>;
  dbStatements: Counter;
}

/** Creates the registry served at `/metrics`. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'carefed_graphql_requests_total',
      help: 'GraphQL requests by operation type and outcome (first error code, or ok)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'carefed_graphql_request_seconds',
      help: 'GraphQL request duration',
      labelNames: ['operation'],
      registers: [registry],
    }),
    dbStatements: new Counter({
      name: 'carefed_db_statements_total',
      help: 'SQL statements sent to PostgreSQL',
      registers: [registry],
    }),
  };
}
