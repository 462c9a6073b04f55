import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { ServiceMetrics } from './metrics.js';

/** What the request log may say of the caller: ids and codes, never PHI. */
interface LoggableContext extends BaseContext {
  requestId?: string;
  clientRequestId?: string;
  principal?: { sub: string; clientId: string; roles: string[] };
}

/**
 * One structured log line and metrics per GraphQL operation: request id,
 * operation name and type, caller (subject, client, roles), duration and the
 * error codes returned. Variables, query text and results are never logged.
 */
export function requestLogPlugin<C extends LoggableContext>(
  log: Logger,
  metrics: ServiceMetrics,
  /** The code an error will go out with (the gateway restores limit codes in formatError). */
  codeOf: (error: GraphQLError) => string = (e) =>
    typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR',
): ApolloServerPlugin<C> {
  return {
    requestDidStart() {
      const started = process.hrtime.bigint();
      return Promise.resolve({
        willSendResponse({ contextValue, operationName, operation, errors }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const op = operationName ?? 'anonymous';
          const codes = (errors ?? []).map(codeOf);
          // Labels stay bounded: the operation type, never a client-chosen name.
          const type = operation?.operation ?? 'unknown';
          metrics.requests.inc({ operation: type, outcome: codes[0] ?? 'ok' });
          metrics.requestSeconds.observe({ operation: type }, seconds);
          log.info(
            {
              requestId: contextValue.requestId,
              clientRequestId: contextValue.clientRequestId,
              operation: op,
              type: operation?.operation,
              sub: contextValue.principal?.sub,
              clientId: contextValue.principal?.clientId,
              roles: contextValue.principal?.roles,
              ms: Math.round(seconds * 1000),
              errors: codes.length ? codes : undefined,
            },
            'graphql request',
          );
          return Promise.resolve();
        },
      });
    },
  };
}
