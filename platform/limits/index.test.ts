import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { formatError } from '../errors/format.js';
import { gatewayLimits, LIMIT_CODES, LIMITS, refineLimitCode } from './index.js';

/** The limits on a small schema, through Apollo's real request handling (no HTTP). */
const typeDefs = /* GraphQL */ `
  type Query {
    node: Node
    nodes(first: Int): [Node!]!
    hello: String
  }
  type Node {
    id: ID!
    child: Node
  }
  type Mutation {
    touch: Boolean
  }
`;
const node = (depth: number): unknown => ({ id: String(depth), child: () => node(depth + 1) });

let server: ApolloServer;
beforeAll(async () => {
  const { plugins, ...options } = gatewayLimits({ production: true });
  server = new ApolloServer({
    typeDefs,
    resolvers: {
      Query: { node: () => node(0), nodes: () => [node(0)], hello: () => 'hi' },
      Mutation: { touch: () => true },
    },
    ...options,
    plugins,
    introspection: false,
    formatError: (formatted, error) => formatError(refineLimitCode(formatted, error)),
  });
  await server.start();
});
afterAll(() => server?.stop());

interface Answer {
  status: number;
  body: {
    data?: unknown;
    errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
  };
}

async function send(
  body: unknown,
  opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; search?: string } = {},
): Promise<Answer> {
  const request: HTTPGraphQLRequest = {
    method: opts.method ?? 'POST',
    headers: new HeaderMap(
      Object.entries({ 'content-type': 'application/json', ...opts.headers }).filter(
        ([, v]) => v !== '',
      ),
    ),
    search: opts.search ?? '',
    body,
  };
  const res = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: request,
    context: () => Promise.resolve({}),
  });
  const text = res.body.kind === 'complete' ? res.body.string : '';
  return { status: res.status ?? 200, body: JSON.parse(text) as Answer['body'] };
}

const query = (q: string) => send({ query: q });
const code = (a: Answer) => a.body.errors?.[0]?.extensions?.code;

describe('gateway limits', () => {
  it('let an ordinary query through', async () => {
    const a = await query('{ node { id child { id } } nodes(first: 10) { id } }');
    expect(a.status).toBe(200);
    expect(a.body.errors).toBeUndefined();
    expect(a.body.data).toEqual({ node: { id: '0', child: { id: '1' } }, nodes: [{ id: '0' }] });
  });

  it('refuse depth over the limit, and allow it at the limit', async () => {
    const deep = (n: number) => `{ node { ${'child { '.repeat(n - 2)}id${' }'.repeat(n - 2)} } }`;
    expect(code(await query(deep(LIMITS.maxDepth)))).toBeUndefined();
    const a = await query(deep(LIMITS.maxDepth + 1));
    expect(a.status).toBe(400);
    expect(a.body.errors).toHaveLength(1);
    expect(code(a)).toBe(LIMIT_CODES.depth);
    expect(a.body.errors?.[0]?.message).toBe(
      `Query depth limit of ${LIMITS.maxDepth} exceeded, found ${LIMITS.maxDepth + 1}.`,
    );
  });

  it('count __typename aliases against the alias limit', async () => {
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect(code(await query(aliases(LIMITS.maxAliases)))).toBeUndefined();
    const a = await query(aliases(LIMITS.maxAliases + 1));
    expect([a.status, code(a)]).toEqual([400, LIMIT_CODES.aliases]);
  });

  it('refuse too many directives', async () => {
    const a = await query(`{ hello ${'@include(if: true) '.repeat(LIMITS.maxDirectives + 1)}}`);
    expect([a.status, code(a)]).toEqual([400, LIMIT_CODES.directives]);
  });

  it('refuse a document of too many tokens, or comments, at parse', async () => {
    const many = await query(`{ ${'hello '.repeat(LIMITS.maxTokens)}}`);
    expect([many.status, code(many)]).toEqual([400, LIMIT_CODES.tokens]);
    const comments = await query(`${'#c\n'.repeat(LIMITS.maxComments + 1)}{ hello }`);
    expect([comments.status, code(comments)]).toEqual([400, LIMIT_CODES.tokens]);
  });

  it('refuse one field repeated in a selection set', async () => {
    const a = await query(`{ ${'hello '.repeat(LIMITS.maxFieldRepeats + 1)}}`);
    expect([a.status, code(a)]).toEqual([400, LIMIT_CODES.fieldRepeats]);
    expect(code(await query(`{ ${'hello '.repeat(LIMITS.maxFieldRepeats)}}`))).toBeUndefined();
  });

  it('refuse an estimated cost over the limit, `first` given as a variable', async () => {
    const q = 'query ($n: Int) { nodes(first: $n) { id child { id child { id } } } }';
    // nodes n × (1 + id + child (1 + id + child (1 + id))) = 6n
    const ok = await send({ query: q, variables: { n: Math.floor(LIMITS.maxCost / 6) } });
    expect(ok.body.errors).toBeUndefined();
    const a = await send({ query: q, variables: { n: Math.floor(LIMITS.maxCost / 6) + 1 } });
    expect([a.status, code(a)]).toEqual([400, LIMIT_CODES.cost]);
  });

  it('report one validation error, not one per fault', async () => {
    const a = await query(`{ hello ${'@unknown '.repeat(LIMITS.maxDirectives)}}`);
    expect(a.status).toBe(400);
    expect(a.body.errors).toHaveLength(1);
    expect(code(a)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('give no field suggestions in production', async () => {
    const a = await query('{ helo }');
    expect(code(a)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(a.body.errors?.[0]?.message).not.toMatch(/Did you mean|hello/);
  });

  it('refuse batched arrays', async () => {
    const a = await send([{ query: '{ hello }' }, { query: '{ hello }' }]);
    expect([a.status, code(a)]).toEqual([400, LIMIT_CODES.batching]);
  });

  it('refuse a simple (form) POST without a preflight header (CSRF)', async () => {
    const a = await send(
      { query: '{ hello }' },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    );
    expect([a.status, code(a)]).toEqual([400, LIMIT_CODES.csrf]);
  });

  it('refuse a mutation over GET, even with a preflight header', async () => {
    const a = await send(undefined, {
      method: 'GET',
      headers: { 'content-type': '', 'apollo-require-preflight': 'true' },
      search: `?query=${encodeURIComponent('mutation { touch }')}`,
    });
    expect([a.status, code(a)]).toEqual([405, LIMIT_CODES.getMutation]);
  });
});
