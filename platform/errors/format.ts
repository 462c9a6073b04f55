import type { GraphQLFormattedError } from 'graphql';
import { transientFault } from './transient.js';

const KNOWN_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'SLOT_TAKEN',
  'BOOKING_LIMIT',
  'INVALID_TRANSITION',
  'AGREEMENT_REQUIRED',
  'BUDGET_EXHAUSTED',
  'DATA_INTEGRITY',
  'SERVICE_UNAVAILABLE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  // A persisted-only client sent query text or an id not in the manifest (gateway/persisted).
  'PERSISTED_QUERY_NOT_IN_LIST',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  // Query limits (platform/limits/codes.ts).
  'DEPTH_LIMIT_EXCEEDED',
  'COST_LIMIT_EXCEEDED',
  'ALIAS_LIMIT_EXCEEDED',
  'DIRECTIVE_LIMIT_EXCEEDED',
  'TOKEN_LIMIT_EXCEEDED',
  'FIELD_REPEAT_LIMIT_EXCEEDED',
  'PAYLOAD_TOO_LARGE',
  'BATCHING_NOT_ALLOWED',
  'CSRF_PREVENTED',
  'METHOD_NOT_ALLOWED',
  'RATE_LIMITED',
  // A subgraph request stopped at its time budget (platform/federation/time-budget.ts).
  'TIME_BUDGET_EXCEEDED',
]);

// graphql-js quotes the offending value in coercion and parse errors: it may be PHI.
const VALUE_ECHOES: [RegExp, string][] = [
  [/(Variable "\$[^"]+") got invalid value .*?(; |$)/s, '$1 has an invalid value$2'],
  [/Expected value of type "([^"]+)", found .*?(;|$)/s, 'Expected value of type "$1"$2'],
  [/Value "[^"]*" does not exist in "([^"]+)" enum/g, 'Value does not exist in "$1" enum'],
  [/cannot represent (a )?(non[- ][\w ]+ )?value: .*$/s, 'cannot represent the value given'],
  [/found String ".*?"/g, 'found String'],
  [/Unexpected String ".*?"/g, 'Unexpected String'],
];

/**
 * The gateway's query planner (federation-internals) re-reads the operation's
 * literals with its own rules and throws INVALID_GRAPHQL for one it cannot
 * represent (a Float literal that overflows to Infinity, `1e999`, passes
 * graphql-js validation). The supergraph is composed before the gateway
 * serves, so at request time this code only comes from planning the
 * caller's operation: the caller's fault, answered as BAD_USER_INPUT. Its
 * text quotes the value, so a fixed message replaces it.
 */
const PLANNER_INPUT_DEFAULT =
  'The operation has a value the schema cannot take; check the values written in the query';
/** A schema coordinate or type as the planner prints them: names only, never a value. */
const SCHEMA_NAME = /^[\w.():[\]!]+$/;

const NUMBER_HINT: Record<string, string> = {
  Float: ' (numbers must be finite)',
  Int: ' (integers must fit in 32 bits)',
};

/** A fixed message for the planner's text: the argument it names (a schema name), never the value. */
function plannerInputMessage(message: string): string {
  const arg = /^Invalid value .* for argument "([^"]+)" of type (\S+?)\.?$/s.exec(message);
  if (arg && SCHEMA_NAME.test(arg[1]!) && SCHEMA_NAME.test(arg[2]!))
    return `Argument "${arg[1]}" has a value its type ${arg[2]} cannot take; check the values written in the query (numbers must be finite)`;
  const named = /^Invalid value for argument "(\w+)": (Float|Int)?/.exec(message);
  if (named)
    return `Argument "${named[1]}" has a value its type cannot take; check the values written in the query${NUMBER_HINT[named[2] ?? ''] ?? ''}`;
  if (/^(Float|Int) cannot represent/.test(message))
    return 'A number written in the query is out of range for its type; check the values written in the query';
  return PLANNER_INPUT_DEFAULT;
}

/** class-validator's error tree, or this module's own flattened form (errors pass gateway and subgraph). */
interface ValidationNode {
  property?: string;
  constraints?: Record<string, string> | string[];
  children?: ValidationNode[];
}

/**
 * Flattens class-validator errors to `{ property: 'name.family', constraints: ['isLength'] }`:
 * the path and the rule names only, never the messages (they may quote limits, not values,
 * but are dropped to be safe) nor the values. Already-flat entries pass through unchanged.
 */
function flattenValidation(
  nodes: ValidationNode[],
  prefix = '',
): { property: string; constraints: string[] }[] {
  return nodes.flatMap((v) => {
    const property = prefix && v.property ? `${prefix}.${v.property}` : (v.property ?? prefix);
    const constraints = Array.isArray(v.constraints)
      ? v.constraints
      : Object.keys(v.constraints ?? {});
    const own = constraints.length ? [{ property, constraints }] : [];
    return [...own, ...flattenValidation(v.children ?? [], property)];
  });
}

/**
 * Shapes every error that leaves a service: values a caller sent never come
 * back (they may be PHI), validation details keep only property and
 * constraint names, stack traces never leave, a transient database fault
 * (`cause`, the error a resolver threw) becomes a retryable
 * SERVICE_UNAVAILABLE, the planner's INVALID_GRAPHQL (a literal in the
 * caller's operation it cannot represent) a BAD_USER_INPUT that quotes no
 * value, and any other error without a known code becomes a generic
 * INTERNAL_SERVER_ERROR (the service logs the cause).
 */
export function formatError(
  formatted: GraphQLFormattedError,
  cause?: unknown,
): GraphQLFormattedError {
  const ext = { ...(formatted.extensions ?? {}) } as Record<string, unknown>;
  if (ext.code === 'INVALID_GRAPHQL') {
    const requestId = ext.requestId === undefined ? {} : { requestId: ext.requestId };
    return {
      message: plannerInputMessage(formatted.message),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'BAD_USER_INPUT', ...requestId },
    };
  }
  const transient =
    typeof ext.code === 'string' && KNOWN_CODES.has(ext.code) ? undefined : transientFault(cause);
  if (transient)
    return { ...formatted, message: transient.message, extensions: { ...transient.extensions } };
  const code = typeof ext.code === 'string' ? ext.code : 'INTERNAL_SERVER_ERROR';
  delete ext.stacktrace;
  delete ext.exception;
  if (Array.isArray(ext.validationErrors))
    ext.validationErrors = flattenValidation(ext.validationErrors as ValidationNode[]);
  let message = VALUE_ECHOES.reduce((m, [re, to]) => m.replace(re, to), formatted.message);
  // An error without a known code is a fault, and its text may quote data: it never leaves.
  if (!KNOWN_CODES.has(code)) {
    message = 'Internal server error';
    for (const k of Object.keys(ext)) if (k !== 'code' && k !== 'requestId') delete ext[k];
  }
  return { ...formatted, message, extensions: { ...ext, code } };
}
