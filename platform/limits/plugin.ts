import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { LIMIT_CODES } from './codes.js';
import { estimateCost, type CostOptions } from './cost.js';

/**
 * The limits Apollo has no option for: refuses an operation whose estimated
 * cost (gateway/limits/cost.ts, with the request's variables) is over
 * `maxCost` before it is planned, and answers a refused request (one that
 * never ran, so it has no `data`) with its first error only. graphql-js stops
 * validating at `maxErrors: 1` but then adds a second error ("Too many
 * validation errors…"); a scanner sending ten bad directives must not learn
 * ten things about the schema.
 */
export function limitsPlugin<C extends BaseContext>(
  opts: { maxCost: number } & CostOptions,
): ApolloServerPlugin<C> {
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return Promise.resolve();
          const cost = estimateCost(schema, document, operation, request.variables, opts);
          if (cost <= opts.maxCost) return Promise.resolve();
          return Promise.reject(
            new GraphQLError(
              `Query cost limit of ${opts.maxCost} exceeded (estimated ${cost}): ask for smaller pages or fewer fields.`,
              { extensions: { code: LIMIT_CODES.cost, http: { status: 400 } } },
            ),
          );
        },
        willSendResponse({ response }) {
          if (response.body.kind !== 'single') return Promise.resolve();
          const result = response.body.singleResult;
          if (!('data' in result) && result.errors && result.errors.length > 1)
            result.errors = result.errors.slice(0, 1);
          return Promise.resolve();
        },
      });
    },
  };
}
