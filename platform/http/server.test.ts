import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import { createMetrics } from './metrics.js';
import { startHttpService, type RunningService } from './server.js';

let service: RunningService;
beforeAll(async () => {
  const apollo = new ApolloServer({ typeDefs: 'type Query { hello: String }', resolvers: {} });
  service = await startHttpService(apollo, {
    port: 0,
    log: createLogger({ name: 'http-test', level: 'silent' }),
    metrics: createMetrics('http-test'),
    context: () => Promise.resolve({}),
    ready: () => Promise.resolve(true),
  });
});
afterAll(() => service.stop());

describe('startHttpService', () => {
  it('hashes no response into an ETag, on /graphql or elsewhere', async () => {
    const res = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    expect(res.headers.get('etag')).toBeNull();
    const health = await fetch(service.url.replace(/\/graphql$/, '/healthz'));
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('etag')).toBeNull();
  });
});
