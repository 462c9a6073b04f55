import type { GraphQLFormattedError } from 'graphql';

/** The `extensions.code` of each refusal by the gateway's limits. */
export const LIMIT_CODES = {
  depth: 'DEPTH_LIMIT_EXCEEDED',
  cost: 'COST_LIMIT_EXCEEDED',
  aliases: 'ALIAS_LIMIT_EXCEEDED',
  directives: 'DIRECTIVE_LIMIT_EXCEEDED',
  tokens: 'TOKEN_LIMIT_EXCEEDED',
  fieldRepeats: 'FIELD_REPEAT_LIMIT_EXCEEDED',
  payload: 'PAYLOAD_TOO_LARGE',
  batching: 'BATCHING_NOT_ALLOWED',
  csrf: 'CSRF_PREVENTED',
  getMutation: 'METHOD_NOT_ALLOWED',
} as const;

export type LimitCode = (typeof LIMIT_CODES)[keyof typeof LIMIT_CODES];

const OWN_CODES = new Set<string>(Object.values(LIMIT_CODES));
const GENERIC_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'BAD_REQUEST']);

/**
 * Refusals that Apollo Server or graphql-js raise with a generic code, told
 * apart by their message (pinned by gateway/limits/index.test.ts, which runs
 * the real libraries: an upgrade that rewords them fails there).
 */
const BY_MESSAGE: [RegExp, LimitCode][] = [
  [
    /^Syntax Error: Document contains more th(?:an|at) \d+ (tokens|comments)\. /,
    LIMIT_CODES.tokens,
  ],
  [/^This operation has been blocked as a potential Cross-Site Request Forgery/, LIMIT_CODES.csrf],
  [/^Operation batching disabled\./, LIMIT_CODES.batching],
  [/^GET requests only support query operations/, LIMIT_CODES.getMutation],
];

/**
 * An error's `extensions.code`. Read, not tested with `instanceof GraphQLError`:
 * Apollo and the rules may hold different copies of graphql-js (they do under vitest).
 */
function codeOf(error: unknown): unknown {
  const extensions = (error as { extensions?: unknown } | null | undefined)?.extensions;
  return typeof extensions === 'object' && extensions !== null
    ? (extensions as { code?: unknown }).code
    : undefined;
}

/**
 * Gives each limit refusal its own code. Apollo wraps every validation error
 * as GRAPHQL_VALIDATION_FAILED, keeping the rule's own error (and its code) as
 * `originalError`; parse limits, CSRF, batching and GET mutations come with
 * GRAPHQL_PARSE_FAILED or BAD_REQUEST. Everything else passes unchanged.
 * Use as `formatError: (f, e) => formatError(refineLimitCode(f, e))`.
 */
export function refineLimitCode(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const own = codeOf((error as { originalError?: unknown } | null)?.originalError);
  const generic = GENERIC_CODES.has(String(formatted.extensions?.code));
  const code =
    typeof own === 'string' && OWN_CODES.has(own)
      ? own
      : generic
        ? BY_MESSAGE.find(([re]) => re.test(formatted.message))?.[1]
        : undefined;
  if (!code) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, code } };
}
