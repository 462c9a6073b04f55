import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedDataSource } from '../gateway/signed-data-source.js';
import { INTERNAL_TOKEN_HEADER } from '../platform/federation/subgraph-server.js';
import { devPrincipal } from '../platform/identity/dev-issuer.js';
import { loadGatewaySigner } from '../platform/identity/service-keys.js';
import { startGatewayOver } from './support/gateway.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * Issue 12's transport costs: subgraph fetches over Node's fetch on pooled
 * keep-alive connections, and no ETag hashed over any API response.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('gateway-transport');
});
afterAll(() => t?.stop());

/** A stand-in for the patient subgraph that counts the TCP connections it is opened on. */
async function countingSubgraph() {
  let connections = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: { patient: { id: 'p-1' } } }));
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    counts: () => ({ connections, requests }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('subgraph fetches', () => {
  it("use Node's own fetch", async () => {
    const source = new SignedDataSource(
      'patient',
      'http://127.0.0.1:1/graphql',
      await loadGatewaySigner(t.config),
    );
    expect(source.fetcher).toBe(globalThis.fetch);
  });

  it('reuse one kept-alive connection for consecutive requests', async () => {
    const subgraph = await countingSubgraph();
    const gateway = await startGatewayOver(t, { patient: subgraph.url });
    try {
      const admin = await t.token('admin');
      for (let i = 0; i < 8; i++) {
        const res = await fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
          body: JSON.stringify({ query: `{ patient(id: "p-${i}") { id } }` }),
        });
        expect(await res.json()).toEqual({ data: { patient: { id: 'p-1' } } });
      }
      expect(subgraph.counts()).toEqual({ connections: 1, requests: 8 });
    } finally {
      await gateway.stop();
      await subgraph.close();
    }
  });
});

describe('no ETag on API responses', () => {
  it('neither the gateway nor a subgraph hashes its response into an ETag', async () => {
    const admin = await t.token('admin');
    const viaGateway = await fetch(t.stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query: '{ me { subject } }' }),
    });
    expect(((await viaGateway.json()) as { data: unknown }).data).toEqual({
      me: { subject: devPrincipal('admin').sub },
    });
    expect(viaGateway.headers.get('etag')).toBeNull();

    const query = '{ patients(first: 1) { edges { node { id } } } }';
    const signer = await loadGatewaySigner(t.config);
    const direct = await fetch(t.stack.subgraph('patient').url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [INTERNAL_TOKEN_HEADER]: signer.signNow(devPrincipal('admin'), {
          requestId: 'etag-check',
          subgraph: 'patient',
          operation: { query },
        }),
      },
      body: JSON.stringify({ query }),
    });
    expect(direct.status).toBe(200);
    expect(((await direct.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(direct.headers.get('etag')).toBeNull();
  });
});
