import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsTokenOf } from '../platform/http/metrics-token.js';
import { readCounter } from './support/metrics.js';
import { startTestStack, type TestStack } from './support/stack.js';

/** Health, readiness, metrics, and request ids that travel from the client to the subgraph's logs. */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('endpoints');
});
afterAll(() => t?.stop());

const origin = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '');

describe('service endpoints', () => {
  it('answer /healthz and /readyz on the gateway and the subgraph without a token', async () => {
    for (const url of [t.stack.gatewayUrl, t.stack.subgraph('patient').url]) {
      expect((await fetch(`${origin(url)}/healthz`)).status).toBe(200);
      const ready = await fetch(`${origin(url)}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    }
  });

  it('count requests in Prometheus format at /metrics, for the operator credential', async () => {
    const before = await readCounter(
      t.stack.subgraph('patient').url,
      'carefed_db_statements_total',
    );
    await t.gql(await t.token('admin'), '{ patients(first: 3) { edges { node { id } } } }');
    const text = await (
      await fetch(`${origin(t.stack.gatewayUrl)}/metrics`, {
        headers: { authorization: `Bearer ${metricsTokenOf(t.config)!}` },
      })
    ).text();
    expect(text).toMatch(/^carefed_graphql_requests_total\{.*outcome="ok".*\} \d+/m);
    expect(text).toMatch(/^carefed_graphql_request_seconds_bucket/m);
    expect(
      await readCounter(t.stack.subgraph('patient').url, 'carefed_db_statements_total'),
    ).toBeGreaterThan(before);
  });
});

describe('request ids', () => {
  it('are assigned by the gateway and travel to the subgraph, its logs and the audit log', async () => {
    const clientRid = `client-rid-${Date.now()}`;
    const res = await fetch(t.stack.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await t.token('admin')}`,
        'x-request-id': clientRid,
      },
      body: JSON.stringify({ query: `{ patient(id: "${t.demo.patientId}") { id } }` }),
    });
    const rid = res.headers.get('x-request-id')!;
    // The gateway's own id: a client cannot choose the id its accesses are audited under.
    expect(rid).toMatch(/^[0-9a-f-]{36}$/);
    const lines = t
      .logs()
      .split('\n')
      .filter((l) => l.includes(rid))
      .map(
        (l) => JSON.parse(l) as { subgraph?: string; component?: string; clientRequestId?: string },
      );
    expect(lines.some((l) => l.subgraph === 'patient')).toBe(true);
    expect(lines.find((l) => l.component === 'gateway')?.clientRequestId).toBe(clientRid);
    const audit = await t.sql(
      "select payload from audit.entry where payload::jsonb ->> 'requestId' = $1",
      [rid],
    );
    expect(audit).toHaveLength(1);
    expect(
      await t.sql("select 1 from audit.entry where payload::jsonb ->> 'requestId' = $1", [
        clientRid,
      ]),
    ).toHaveLength(0);
  });

  it('are made up for refused requests too', async () => {
    const res = await fetch(t.stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' },
      body: '{"query":"{ me { subject } }"}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
