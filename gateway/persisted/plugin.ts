import type { ApolloServerPlugin, BaseContext, GraphQLRequest } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { PersistedManifest } from './manifest.js';

/** Why a persisted-only client's request was refused. */
export type PersistedRefusal = 'query-text' | 'no-id' | 'unknown-id';

export interface PersistedOperationsOptions<C extends BaseContext> {
  manifest: PersistedManifest;
  /** Whether the request's caller may run only operations of the manifest. */
  persistedOnly: (context: C) => boolean;
  onRefused?: (context: C, reason: PersistedRefusal) => void;
}

export const PERSISTED_QUERY_NOT_IN_LIST = 'PERSISTED_QUERY_NOT_IN_LIST';

const MESSAGES: Record<PersistedRefusal, string> = {
  'query-text':
    'This client may run only persisted operations: send the id of a manifest operation in extensions.persistedQuery.sha256Hash, without query text',
  'no-id':
    'This client may run only persisted operations: send extensions.persistedQuery.sha256Hash',
  'unknown-id': 'Persisted operation not in the list',
};

/**
 * Stands in for a refused request's text: Apollo Server refuses only from
 * didResolveOperation on, so the pipeline must reach it, and this way it
 * never parses or validates what the client sent.
 */
const REFUSED_PLACEHOLDER = '{ __typename }';

function sentId(request: GraphQLRequest): string | undefined {
  const pq: unknown = request.extensions?.persistedQuery;
  if (typeof pq !== 'object' || pq === null) return undefined;
  const hash = (pq as { sha256Hash?: unknown }).sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
}

/**
 * Safelisting (Apollo Server has none built in; the Router does): a request
 * carrying `extensions.persistedQuery.sha256Hash` of a manifest operation and
 * no text runs that operation's body, for every client. A persisted-only
 * client may send nothing else: query text, even valid and identical to a
 * manifest body, and an id not in the manifest are refused with
 * PERSISTED_QUERY_NOT_IN_LIST (HTTP 400). Other clients keep query text and
 * automatic persisted queries.
 */
export function persistedOperationsPlugin<C extends BaseContext>(
  opts: PersistedOperationsOptions<C>,
): ApolloServerPlugin<C> {
  return {
    // eslint-disable-next-line @typescript-eslint/require-await -- Apollo's hook is async
    async requestDidStart({ request, contextValue }) {
      const id = sentId(request);
      const listed = id === undefined ? undefined : opts.manifest.get(id);
      if (request.query === undefined && listed) {
        // The id is the body's SHA-256, so Apollo's own APQ check agrees with it.
        request.query = listed.body;
        return;
      }
      if (!opts.persistedOnly(contextValue)) return;
      const reason: PersistedRefusal =
        request.query !== undefined ? 'query-text' : id === undefined ? 'no-id' : 'unknown-id';
      opts.onRefused?.(contextValue, reason);
      request.query = REFUSED_PLACEHOLDER;
      request.operationName = undefined;
      request.variables = undefined;
      if (request.extensions) {
        const rest = { ...request.extensions };
        delete rest.persistedQuery;
        request.extensions = rest;
      }
      return {
        // eslint-disable-next-line @typescript-eslint/require-await -- Apollo's hook is async
        async didResolveOperation() {
          throw new GraphQLError(MESSAGES[reason], {
            extensions: { code: PERSISTED_QUERY_NOT_IN_LIST, http: { status: 400 } },
          });
        },
      };
    },
  };
}
