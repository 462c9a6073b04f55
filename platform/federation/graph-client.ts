import { GraphQLError } from 'graphql';
import { unavailable } from '../errors/index.js';

/** How a service reaches the graph as its own system principal (OAuth 2.0 client credentials). */
export interface GraphClientOptions {
  /** The gateway's GraphQL endpoint; a function when it is known only once the gateway runs. */
  url: string | (() => string);
  /** The token endpoint (RFC 6749 §4.4); default: `/oauth/token` beside `url`. */
  tokenUrl?: string | (() => string);
  clientId: string;
  /** The client's secret, read when first needed. */
  secret: () => Promise<string>;
  /** Scopes to ask for (space-separated); default: all the client is allowed. */
  scope?: string;
  /** Per request; default 30 s. */
  timeoutMs?: number;
}

/** A GraphQL client of the gateway as a system principal. */
export interface GraphClient {
  /** Runs one operation; a GraphQL error comes back as a GraphQLError with its code, never a value. */
  request<T>(query: string, variables: Record<string, unknown>): Promise<T>;
}

const value = (v: string | (() => string)): string => (typeof v === 'function' ? v() : v);

/**
 * The graph as a system principal: a client-credentials token, cached until
 * a minute before it expires and fetched again on a 401, then plain GraphQL
 * over HTTP. Errors keep the subgraph's `extensions.code` and message (which
 * carry no PHI); transport failures are SERVICE_UNAVAILABLE.
 */
export function createGraphClient(opts: GraphClientOptions): GraphClient {
  let token: { value: string; until: number } | undefined;
  const timeout = opts.timeoutMs ?? 30_000;
  const fetchToken = async (): Promise<string> => {
    if (token && token.until > Date.now()) return token.value;
    const url = opts.tokenUrl
      ? value(opts.tokenUrl)
      : new URL('/oauth/token', value(opts.url)).toString();
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: opts.clientId,
      client_secret: await opts.secret(),
    });
    if (opts.scope) body.set('scope', opts.scope);
    const res = await fetch(url, {
      method: 'POST',
      body,
      signal: AbortSignal.timeout(timeout),
    }).catch(() => {
      throw unavailable('The token endpoint could not be reached');
    });
    const json = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
    };
    if (!res.ok || !json.access_token)
      throw new GraphQLError(
        `The graph refused the service's credentials (${json.error ?? res.status})`,
        {
          extensions: { code: 'UNAUTHENTICATED' },
        },
      );
    token = {
      value: json.access_token,
      until: Date.now() + Math.max(0, (json.expires_in ?? 300) - 60) * 1000,
    };
    return token.value;
  };
  const post = async (query: string, variables: Record<string, unknown>) =>
    fetch(value(opts.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await fetchToken()}`,
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeout),
    }).catch(() => {
      throw unavailable('The graph could not be reached');
    });
  return {
    async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
      let res = await post(query, variables);
      if (res.status === 401) {
        token = undefined;
        res = await post(query, variables);
      }
      const json = (await res.json().catch(() => ({}))) as {
        data?: T;
        errors?: { message?: string; extensions?: { code?: string } }[];
      };
      const first = json.errors?.[0];
      if (first)
        throw new GraphQLError(first.message ?? 'The graph answered with an error', {
          extensions: { code: first.extensions?.code ?? 'INTERNAL_SERVER_ERROR' },
        });
      if (!json.data) throw unavailable(`The graph answered ${res.status} without data`);
      return json.data;
    },
  };
}
