import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { INTERNAL_TOKEN_HEADER } from '../platform/federation/subgraph-server.js';
import type { InternalTokenSigner } from '../platform/identity/internal-token.js';
import type { GatewayContext } from './context.js';

type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];
type SubgraphFetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * How the gateway fetches subgraphs: Node's own `fetch` (undici) over its global
 * pooled agent, which keeps connections alive per subgraph origin and honours
 * the subgraph's keep-alive timeout, so a pooled connection the subgraph is
 * closing is never reused (make-fetch-happen's agent, Apollo's default, kept
 * idle sockets forever, which raced the server's 5 s close under load, and
 * took about 10% of the gateway's CPU).
 */
export const subgraphFetcher: SubgraphFetcher = fetch;

/**
 * Sends each subgraph the verified principal in a token the gateway signs for
 * that one fetch: audience the subgraph's name, bound to the hash of the
 * operation text and variables sent, a single-use id, a few seconds of life.
 * Subgraphs trust nothing else, and a captured token opens nothing more.
 */
export class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly signer: InternalTokenSigner,
  ) {
    super({ url, fetcher: subgraphFetcher });
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const { request } = options;
    const context = options.context as Partial<GatewayContext>;
    if (!context.principal || !context.requestId) return;
    const token = this.signer.signNow(context.principal, {
      requestId: context.requestId,
      ip: context.ip,
      subgraph: this.subgraph,
      operation: { query: request.query, variables: request.variables },
    });
    request.http?.headers.set(INTERNAL_TOKEN_HEADER, token);
    request.http?.headers.set('x-request-id', context.requestId);
  }

  /**
   * A subgraph answers 400 when a variable cannot be coerced (a date that is
   * not a date): pass its typed error on (BAD_USER_INPUT, already free of
   * the value) rather than a masked fault.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    if (response.status === 400) {
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as
        { errors?: { message?: unknown; extensions?: { code?: unknown } }[] } | undefined;
      const first = body?.errors?.[0];
      if (first?.extensions?.code === 'BAD_USER_INPUT' && typeof first.message === 'string')
        return new GraphQLError(first.message, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return super.errorFromResponse(response);
  }
}
