import { GraphQLError } from 'graphql';

// SQLSTATEs that say "not now" rather than "wrong": the same request can succeed in a moment.
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '57P']; // connection, resources, shutdown
const TRANSIENT_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '55006', // object_in_use
]);
// Failures to reach the server or to get a connection from the pool.
const TRANSIENT_NAMES = new Set(['KnexTimeoutError', 'TimeoutError', 'ConnectionException']);
const TRANSIENT_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
const TRANSIENT_MESSAGES = [
  /^Knex: Timeout acquiring a connection/,
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
];

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  sqlState?: unknown;
  message?: unknown;
  cause?: unknown;
}

function isTransient(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as ErrorLike;
  for (const state of [e.code, e.sqlState])
    if (typeof state === 'string') {
      if (TRANSIENT_SQLSTATES.has(state) || TRANSIENT_ERRNOS.has(state)) return true;
      if (
        /^[0-9A-Z]{5}$/.test(state) &&
        TRANSIENT_SQLSTATE_CLASSES.some((c) => state.startsWith(c))
      )
        return true;
    }
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (
    typeof e.message === 'string' &&
    TRANSIENT_MESSAGES.some((re) => re.test(e.message as string))
  )
    return true;
  return isTransient(e.cause, depth + 1);
}

/** Seconds a client should wait before retrying a request refused for a transient fault. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * The typed error for a database that is momentarily out of reach or out of
 * capacity (no pool connection in time, a statement or lock timeout, too many
 * connections, a server restarting), or undefined for any other error. Such a
 * fault says nothing about the request: the caller may retry it as is.
 */
export function transientFault(err: unknown): GraphQLError | undefined {
  if (!isTransient(err)) return undefined;
  return new GraphQLError('The service is busy; retry the request in a moment', {
    extensions: {
      code: 'SERVICE_UNAVAILABLE',
      retryable: true,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    },
  });
}
