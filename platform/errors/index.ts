import { GraphQLError } from 'graphql';
import { transientFault } from './transient.js';

/**
 * Every `extensions.code` Carefed returns. Messages tell the caller what to do
 * and never carry PHI or reveal whether a record exists.
 */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'SLOT_TAKEN'
  | 'BOOKING_LIMIT'
  | 'INVALID_TRANSITION'
  | 'AGREEMENT_REQUIRED'
  | 'BUDGET_EXHAUSTED'
  | 'DATA_INTEGRITY'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

function error(
  code: ErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = (message = 'A valid bearer token is required'): GraphQLError =>
  error('UNAUTHENTICATED', message, { http: { status: 401 } });

export const forbidden = (message = 'Not permitted'): GraphQLError => error('FORBIDDEN', message);

export const notFound = (what: string): GraphQLError => error('NOT_FOUND', `${what} not found`);

export const badInput = (message: string, field?: string): GraphQLError =>
  error('BAD_USER_INPUT', message, field ? { field } : {});

export const conflict = (message: string, extra: Record<string, unknown> = {}): GraphQLError =>
  error('CONFLICT', message, extra);

/** A status change the record's current status does not allow. */
export const invalidTransition = (message: string): GraphQLError =>
  error('INVALID_TRANSITION', message);

/** An agreement (a data use agreement's current version) must be accepted first. */
export const agreementRequired = (message: string, extra: Record<string, unknown> = {}) =>
  error('AGREEMENT_REQUIRED', message, extra);

/** A metered allowance (a researcher's privacy budget) does not cover the request. */
export const budgetExhausted = (message: string, extra: Record<string, unknown> = {}) =>
  error('BUDGET_EXHAUSTED', message, extra);

export const integrity = (): GraphQLError =>
  error(
    'DATA_INTEGRITY',
    'A stored record failed its integrity check; the incident has been logged',
  );

export const unavailable = (
  message = 'Service temporarily unavailable; retry shortly',
): GraphQLError => error('SERVICE_UNAVAILABLE', message);

/** PostgreSQL error codes mapped in one place (see mapDatabaseError). */
const PG_CODES: Record<string, (constraint?: string) => GraphQLError> = {
  '23505': () => conflict('A record with the same unique value already exists'),
  '23P01': () => conflict('The change conflicts with an existing record'),
  '40001': () => conflict('Concurrent update; retry the request'),
  '40P01': () => conflict('Concurrent update; retry the request'),
  '22001': () => badInput('A value is longer than allowed'),
  '22003': () => badInput('A number is out of range'),
  '22007': () => badInput('A date or time is not valid'),
  '22008': () => badInput('A date or time is out of range'),
  '22P02': () => badInput('A value has the wrong format'),
  '23514': () => badInput('A value is not allowed'),
};

/**
 * Maps a driver error to a typed GraphQL error (a transient fault to a
 * retryable SERVICE_UNAVAILABLE), or returns undefined when it is not a known
 * database error.
 */
export function mapDatabaseError(err: unknown): GraphQLError | undefined {
  if (err instanceof GraphQLError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? PG_CODES[code]?.(undefined) : undefined;
  return known ?? transientFault(err);
}

export { transientFault, RETRY_AFTER_SECONDS } from './transient.js';
