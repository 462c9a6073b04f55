import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../platform/config/index.js';
import { loadServiceKeys } from '../../platform/crypto/service-keys.js';
import { serviceRoleUrl } from '../../platform/db/provision.js';
import { INTERNAL_TOKEN_HEADER } from '../../platform/federation/subgraph-server.js';
import { metricsTokenOf } from '../../platform/http/metrics-token.js';
import { devPrincipal } from '../../platform/identity/dev-issuer.js';
import { InternalTokenSigner } from '../../platform/identity/internal-token.js';
import type { Principal } from '../../platform/identity/principal.js';
import { loadInternalVerifier } from '../../platform/identity/service-keys.js';
import { subgraphNamed } from '../../subgraphs/registry.js';
import { startGatewayOver } from '../support/gateway.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Issue 11, transport items: #4 (gateway-to-subgraph tokens replay), #8's
 * time budget, #15 (/metrics public), #21 (unauthenticated requests not rate
 * limited) and #26 (a blocked fetch port crashes `npm start`), replayed
 * against the real stack over HTTP.
 */
const PER_ADDRESS = 30;
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('transport', { RATE_LIMIT_PER_ADDRESS: String(PER_ADDRESS) });
});
afterAll(() => t?.stop());

interface Raw {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** Posts a GraphQL body straight to a service, with the given headers. */
async function post(url: string, headers: Record<string, string>, body: string): Promise<Raw> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Raw['body'] };
}

const code = (r: Raw) => r.body.errors?.[0]?.extensions?.code;

/** A subgraph token signed with the gateway's key, exactly as the gateway signs one. */
async function gatewayToken(
  principal: Principal,
  subgraph: string,
  operation: { query: string; variables?: Record<string, unknown> },
): Promise<string> {
  const signer = await InternalTokenSigner.load(t.config.keysDir);
  return signer.sign(principal, { requestId: `transport-${Date.now()}`, subgraph, operation });
}

/** A stand-in for the patient subgraph that keeps what the gateway sends it and answers 503. */
async function capturingSubgraph(): Promise<{
  url: string;
  seen: { token: string; body: string }[];
  close: () => Promise<void>;
}> {
  const seen: { token: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ token: String(req.headers[INTERNAL_TOKEN_HEADER]), body });
      res.writeHead(503).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('#4 gateway-to-subgraph tokens', () => {
  it('#4 a token captured from one subgraph fetch opens no other subgraph, no other body, and only once', async () => {
    const capture = await capturingSubgraph();
    const gateway = await startGatewayOver(t, { patient: capture.url });
    try {
      const admin = await t.token('admin');
      await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ query: `{ patient(id: "${t.demo.patientId}") { id } }` }),
      });
      expect(capture.seen).toHaveLength(1);
      const { token, body } = capture.seen[0]!;
      const header = { [INTERNAL_TOKEN_HEADER]: token };

      // Another subgraph: its audience is not this token's.
      const scheduling = await post(t.stack.subgraph('scheduling').url, header, body);
      expect(scheduling.status).toBe(401);
      expect(code(scheduling)).toBe('UNAUTHENTICATED');

      // Another body on the right subgraph: the operation hash does not match.
      const aliases = Array.from(
        { length: 40 },
        (_, i) => `a${i}: patients(first: 1) { edges { node { id } } }`,
      );
      const other = await post(
        t.stack.subgraph('patient').url,
        header,
        JSON.stringify({ query: `{ ${aliases.join(' ')} }` }),
      );
      expect(other.status).toBe(401);
      const sameTextOtherVariables = JSON.parse(body) as { query: string };
      const swapped = await post(
        t.stack.subgraph('patient').url,
        header,
        JSON.stringify({ ...sameTextOtherVariables, variables: { id: t.demo.otherPatientId } }),
      );
      expect(swapped.status).toBe(401);

      // The body it was signed for, once: accepted (the token was never spent) ...
      const once = await post(t.stack.subgraph('patient').url, header, body);
      expect(once.status).toBe(200);
      expect(once.body.errors).toBeUndefined();
      // ... and a replay of the very same request is refused.
      const replay = await post(t.stack.subgraph('patient').url, header, body);
      expect(replay.status).toBe(401);
      expect(code(replay)).toBe('UNAUTHENTICATED');

      // It lives seconds, not a minute.
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
        exp: number;
        iat: number;
        aud: string;
      };
      expect(claims.aud).toBe('carefed-subgraph:patient');
      expect(claims.exp - claims.iat).toBeLessThanOrEqual(10);
    } finally {
      await gateway.stop();
      await capture.close();
    }
  });

  it('#4 a subgraph applies the depth, alias and cost limits to a validly signed request', async () => {
    const admin = devPrincipal('admin');
    const send = async (query: string) =>
      post(
        t.stack.subgraph('patient').url,
        { [INTERNAL_TOKEN_HEADER]: await gatewayToken(admin, 'patient', { query }) },
        JSON.stringify({ query }),
      );
    const aliases = Array.from(
      { length: 40 },
      (_, i) => `a${i}: patients(first: 1) { edges { node { id } } }`,
    );
    const forty = await send(`{ ${aliases.join(' ')} }`);
    expect(forty.status).toBe(400);
    expect(code(forty)).toBe('ALIAS_LIMIT_EXCEEDED');
    expect(forty.body.data).toBeUndefined();

    const costly = await send('{ patients(first: 10000) { edges { node { id } } } }');
    expect(code(costly)).toBe('COST_LIMIT_EXCEEDED');

    const nest = (n: number): string => (n === 0 ? 'id' : `node { ${nest(n - 1)} }`);
    const deep = await send(`{ patients(first: 1) { edges { ${nest(14)} } } }`);
    expect(code(deep)).toBe('DEPTH_LIMIT_EXCEEDED');

    // Control: what the gateway sends passes.
    const fine = await send('{ patients(first: 2) { edges { node { id } } } }');
    expect(fine.status).toBe(200);
    expect(fine.body.errors).toBeUndefined();
  });

  it('#4 queries through the gateway still reach every subgraph', async () => {
    const clinician = await t.token('clinician', { practitionerId: t.demo.practitionerId });
    const r = await t.gql<{ patient: { id: string; appointments: { edges: unknown[] } } }>(
      clinician,
      `{ patient(id: "${t.demo.patientId}") { id appointments(first: 3) { edges { node { id } } } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.patient.id).toBe(t.demo.patientId);
  });
});

describe('#8 time budget', () => {
  it('#8 a subgraph request past its time budget ends with TIME_BUDGET_EXCEEDED', async () => {
    const config = { ...t.config, SUBGRAPH_TIME_BUDGET_MS: 1 };
    const keys = loadServiceKeys(config);
    const spec = subgraphNamed('patient');
    const verifier = await loadInternalVerifier(config);
    const tight = await spec.start({
      config,
      keys,
      databaseUrl: serviceRoleUrl(
        t.stack.adminUrl,
        config.DB_ROLE_PREFIX,
        spec.schema,
        keys.dbRoleKey,
      ),
      port: 0,
      log: t.stack.log,
      verifier,
    });
    try {
      const query = '{ patients(first: 20) { edges { node { id name { family } } } } }';
      const token = await gatewayToken(devPrincipal('admin'), 'patient', { query });
      const started = Date.now();
      const r = await post(
        tight.url,
        { [INTERNAL_TOKEN_HEADER]: token },
        JSON.stringify({ query }),
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(r.status).toBe(200);
      expect(r.body.errors).toHaveLength(1);
      expect(code(r)).toBe('TIME_BUDGET_EXCEEDED');
      expect(r.body.errors![0]!.message).toMatch(/time budget/);
    } finally {
      await tight.stop();
      await verifier.close();
    }
  });
});

describe('#15 /metrics', () => {
  const metricsOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');

  it('#15 is refused without the operator credential on the gateway and every subgraph', async () => {
    const urls = [t.stack.gatewayUrl, ...Object.values(t.stack.subgraphs).map((s) => s.url)];
    for (const url of urls) {
      const none = await fetch(metricsOf(url));
      expect(none.status).toBe(401);
      expect(await none.text()).not.toMatch(/carefed_/);
      const user = await fetch(metricsOf(url), {
        headers: { authorization: `Bearer ${await t.token('admin')}` },
      });
      expect(user.status).toBe(401);
      const operator = await fetch(metricsOf(url), {
        headers: { authorization: `Bearer ${metricsTokenOf(t.config)!}` },
      });
      expect(operator.status).toBe(200);
      expect(await operator.text()).toMatch(/^# TYPE carefed_graphql_requests_total counter$/m);
    }
  });

  it('#15 is not served at all under NODE_ENV=production without METRICS_TOKEN_FILE', () => {
    expect(metricsTokenOf(loadConfig({ NODE_ENV: 'production' }))).toBeUndefined();
  });
});

describe('#21 unauthenticated requests', () => {
  it('#21 are limited per client address, with a bounded number of log lines', async () => {
    const logged = t.logs().length;
    const statuses: number[] = [];
    let limited: Raw | undefined;
    for (let i = 0; i < 150; i++) {
      const r = await post(
        t.stack.gatewayUrl,
        { authorization: `Bearer bad.token.${i}` },
        '{"query":"{ me { subject } }"}',
      );
      statuses.push(r.status);
      if (r.status === 429) limited ??= r;
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(PER_ADDRESS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(150 - PER_ADDRESS);
    expect(code(limited!)).toBe('RATE_LIMITED');
    const lines = t.logs().slice(logged).split('\n');
    expect(lines.filter((l) => l.includes('token refused')).length).toBeLessThanOrEqual(20);
    expect(lines.filter((l) => l.includes('rate limit reached'))).toHaveLength(1);
    // A caller with a valid token from the same address is not held by it.
    const ok = await t.gql(await t.token('admin'), '{ me { subject } }');
    expect(ok.status).toBe(200);
    expect(ok.errors).toBeUndefined();
  });
});

describe('#26 ports Node fetch refuses', () => {
  it('#26 GATEWAY_PORT=6000 and a subgraph URL on a blocked port are refused at configuration', () => {
    expect(() => loadConfig({ GATEWAY_PORT: '6000' })).toThrow(ConfigError);
    expect(() => loadConfig({ GATEWAY_PORT: '6000' })).toThrow(
      /GATEWAY_PORT: port 6000 .*bad port/,
    );
    expect(() => loadConfig({ SUBGRAPH_URL_PATIENT: 'http://patient:6665/graphql' })).toThrow(
      /SUBGRAPH_URL_PATIENT: port 6665/,
    );
    expect(loadConfig({ GATEWAY_PORT: '6001' }).GATEWAY_PORT).toBe(6001);
  });

  it('#26 GATEWAY_PORT=6000 npm start stops at once with a clear message', async () => {
    const child = spawn(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'scripts/start.ts'],
      {
        env: {
          ...process.env,
          GATEWAY_PORT: '6000',
          DATA_DIR: path.join(t.config.dataDir, 'npm-start-6000'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(exitCode).not.toBe(0);
    expect(output).toMatch(/GATEWAY_PORT: port 6000 is on the Fetch standard's blocked-port list/);
    expect(output).not.toMatch(/Carefed gateway:/);
  }, 120_000);
});
