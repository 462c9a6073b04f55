import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import { LIMIT_CODES, type LimitCode } from './codes.js';
import { maxFieldRepeatsRule } from './duplicate-fields.js';
import { limitsPlugin } from './plugin.js';
import { LIMITS } from './settings.js';

export { refineLimitCode, LIMIT_CODES } from './codes.js';
export { LIMITS } from './settings.js';

/** The Apollo Server options that bound what one request may ask of the gateway. */
export type LimitOptions<C extends BaseContext> = Required<
  Pick<
    ApolloServerOptions<C>,
    | 'validationRules'
    | 'validationOptions'
    | 'parseOptions'
    | 'csrfPrevention'
    | 'allowBatchedHttpRequests'
    | 'includeStacktraceInErrorResponses'
  >
> & { plugins: ApolloServerPlugin<C>[] };

/**
 * Armor's rules report through the validation context (a 400 with the other
 * validation errors) under their own code, instead of its default
 * BAD_USER_INPUT and the "Syntax Error:" prefix of its messages.
 */
function reportAs(code: LimitCode): {
  propagateOnRejection: false;
  onReject: ((ctx: ValidationContext | null, err: GraphQLError) => void)[];
} {
  return {
    propagateOnRejection: false,
    onReject: [
      (ctx, err) =>
        ctx?.reportError(
          new GraphQLError(err.message.replace(/^Syntax Error: /, ''), { extensions: { code } }),
        ),
    ],
  };
}

/**
 * The gateway's limits (values in ./settings.ts), as Apollo Server options:
 * graphql-armor's depth, alias (no free `__typename` aliases), directive and,
 * in production, field-suggestion protections; graphql-js' token and comment
 * caps at parse and one validation error at most; the repeated-field rule and
 * the list-aware cost estimate of this folder; Apollo's CSRF prevention on and
 * batched arrays refused (a per-client allowance would need the client known
 * before Apollo decides: not built). Spread them into the ApolloServer config,
 * and pass errors through `refineLimitCode` so each refusal keeps its code.
 */
export function gatewayLimits<C extends BaseContext>(opts: {
  production: boolean;
}): LimitOptions<C> {
  const armor = new ApolloArmor({
    maxDepth: { n: LIMITS.maxDepth, ...reportAs(LIMIT_CODES.depth) },
    maxAliases: { n: LIMITS.maxAliases, allowList: [], ...reportAs(LIMIT_CODES.aliases) },
    maxDirectives: { n: LIMITS.maxDirectives, ...reportAs(LIMIT_CODES.directives) },
    // Replaced: armor's cost ignores `first` given as a variable (./cost.ts); armor's token
    // check throws from a hook Apollo answers with a 500 (graphql-js' parse option does it).
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: opts.production },
  }).protect();
  return {
    validationRules: [
      ...armor.validationRules,
      maxFieldRepeatsRule(LIMITS.maxFieldRepeats, LIMIT_CODES.fieldRepeats),
    ],
    validationOptions: {
      maxErrors: LIMITS.maxValidationErrors,
      hideSuggestions: opts.production,
    },
    parseOptions: { maxLexicalTokens: LIMITS.maxTokens, maxComments: LIMITS.maxComments },
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<C>[]),
      limitsPlugin<C>({
        maxCost: LIMITS.maxCost,
        defaultPageSize: LIMITS.defaultPageSize,
        unpagedListSize: LIMITS.unpagedListSize,
        fieldSizes: LIMITS.fieldSizes,
        rangeWork: LIMITS.rangeWork,
      }),
    ],
  };
}

/**
 * The limits a subgraph applies to what it is sent: the gateway's depth,
 * alias and cost limits, so a request that reaches a subgraph some other way
 * than through the gateway's checks is held to them too. An `_entities` fetch
 * counts once (the gateway counted the list that led to it), so nothing the
 * gateway let through is refused here. Spread `validationRules` into the
 * subgraph's ApolloServer and add `plugins`; format errors with
 * `refineLimitCode` to keep each refusal's code.
 */
export function subgraphLimits<C extends BaseContext>(): Pick<
  LimitOptions<C>,
  'validationRules' | 'plugins'
> {
  const armor = new ApolloArmor({
    maxDepth: { n: LIMITS.maxDepth, ...reportAs(LIMIT_CODES.depth) },
    maxAliases: { n: LIMITS.maxAliases, allowList: [], ...reportAs(LIMIT_CODES.aliases) },
    maxDirectives: { enabled: false },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    validationRules: armor.validationRules,
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<C>[]),
      limitsPlugin<C>({
        maxCost: LIMITS.maxCost,
        defaultPageSize: LIMITS.defaultPageSize,
        unpagedListSize: LIMITS.unpagedListSize,
        fieldSizes: { ...LIMITS.fieldSizes, 'Query._entities': 1 },
      }),
    ],
  };
}
