import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientRegistry } from '../gateway/clients/load.js';
import type { RateLimitSettings } from '../gateway/rate-limit/limiter.js';
import { rateLimitSettings } from '../gateway/rate-limit/settings.js';
import { startGateway } from '../gateway/server.js';
import { loadUserVerifier } from '../gateway/user-verifier.js';
import { metricsTokenOf } from '../platform/http/metrics-token.js';
import type { RunningService } from '../platform/http/server.js';
import { DEV_IDS } from '../platform/identity/dev-principal.js';
import { loadGatewaySigner } from '../platform/identity/service-keys.js';
import { SCHEMA_DIR } from '../scripts/compose-lib.js';
import { textPartnerClients } from './support/clients.js';
import { startTestStack, type GqlResponse, type TestStack } from './support/stack.js';
import { redisAnswers } from './support/redis.js';

/**
 * Rate limits through the gateway: per user (token subject within its client
 * app) and per client app, in memory and in Redis. Limits are made small by
 * the environment: 5 requests per minute per user, 12 per client.
 */
const PER_USER = 5;
const PER_CLIENT = 12;
const REDIS_URL = 'redis://127.0.0.1:6379';
const RUN = randomBytes(4).toString('hex');
/** The apps the tests call through, registered: unregistered apps run persisted operations only. */
const APPS = ['mem', 'redis'].flatMap((label) =>
  ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => `rl-${RUN}-${label}-${name}`),
);
const LIMITS = {
  RATE_LIMIT_PER_USER: String(PER_USER),
  RATE_LIMIT_PER_CLIENT: String(PER_CLIENT),
  ...textPartnerClients(APPS, [
    {
      id: DEV_IDS.partnerClient,
      allowedScopes: [],
      persistedOnly: true,
      rateLimitTier: 'partner',
      patientBinding: { required: true },
    },
  ]),
};

const redisUp = await redisAnswers(REDIS_URL);

const QUERY = /* GraphQL */ `
  query ($id: ID!) {
    patient(id: $id) {
      id
    }
  }
`;

async function call(url: string, token: string | undefined, t: TestStack): Promise<GqlResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: QUERY, variables: { id: t.demo.patientId } }),
  });
  const body = (await res.json()) as Omit<GqlResponse, 'status' | 'headers'>;
  return { status: res.status, headers: res.headers, ...body };
}

/** A clinician on the demo patient's care team, as `sub` of app `clientId`. */
function tokenOf(t: TestStack, clientId: string, sub: string): Promise<string> {
  return t.token('clinician', { practitionerId: t.demo.practitionerId, clientId, sub });
}

function expectAllowed(r: GqlResponse, t: TestStack): void {
  expect(r.status).toBe(200);
  expect(r.errors).toBeUndefined();
  expect(r.data).toEqual({ patient: { id: t.demo.patientId } });
}

function expectLimited(r: GqlResponse, scope: 'user' | 'client'): void {
  expect(r.status).toBe(429);
  const header = r.headers.get('retry-after');
  expect(header).toMatch(/^\d+$/);
  const seconds = Number(header);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
  expect(r.headers.get('x-request-id')).toBeTruthy();
  expect(r.data).toBeUndefined();
  expect(r.errors).toHaveLength(1);
  expect(r.errors![0]!.message).toMatch(/rate limit/i);
  expect(r.errors![0]!.extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: seconds, scope });
}

/** Another gateway over the same subgraphs, as a second instance would run. */
async function extraGateway(t: TestStack, rateLimit: RateLimitSettings): Promise<RunningService> {
  const { verifier, devIssuer } = await loadUserVerifier(t.config);
  return startGateway({
    port: 0,
    host: '127.0.0.1',
    production: false,
    supergraphSdl: fs.readFileSync(path.join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8'),
    subgraphUrls: {
      patient: t.stack.subgraph('patient').url,
      scheduling: t.stack.subgraph('scheduling').url,
    },
    verifier,
    signer: await loadGatewaySigner(t.config),
    devIssuer,
    clients: await loadClientRegistry(t.config),
    rateLimit,
    log: t.stack.log,
  });
}

/** The same behaviour whatever the store. */
function limitsHold(stack: () => TestStack, label: string): void {
  const client = (name: string) => `rl-${RUN}-${label}-${name}`;

  it('refuses the 6th request of a user within the minute, and no other user', async () => {
    const t = stack();
    const url = t.stack.gatewayUrl;
    const ann = await tokenOf(t, client('a'), 'ann');
    for (let i = 0; i < PER_USER; i++) expectAllowed(await call(url, ann, t), t);
    expectLimited(await call(url, ann, t), 'user');
    expectLimited(await call(url, ann, t), 'user');
    // Another user of the same app, and the same subject through another app, are unaffected.
    expectAllowed(await call(url, await tokenOf(t, client('a'), 'bob'), t), t);
    expectAllowed(await call(url, await tokenOf(t, client('b'), 'ann'), t), t);
  });

  it('refuses every user of a client past its limit, and no other client', async () => {
    const t = stack();
    const url = t.stack.gatewayUrl;
    // A user refused for their own excess does not spend the client's allowance.
    const eve = await tokenOf(t, client('c'), 'eve');
    for (let i = 0; i < PER_USER; i++) expectAllowed(await call(url, eve, t), t);
    for (let i = 0; i < 3; i++) expectLimited(await call(url, eve, t), 'user');
    let allowed = PER_USER;
    for (const user of ['u1', 'u2'])
      for (let i = 0; i < 4 && allowed < PER_CLIENT; i++, allowed++)
        expectAllowed(await call(url, await tokenOf(t, client('c'), user), t), t);
    expect(allowed).toBe(PER_CLIENT);
    // Fresh users of that app are refused now: the client's minute is spent.
    expectLimited(await call(url, await tokenOf(t, client('c'), 'u3'), t), 'client');
    expectLimited(await call(url, await tokenOf(t, client('c'), 'u4'), t), 'client');
    expectAllowed(await call(url, await tokenOf(t, client('d'), 'u3'), t), t);
  });

  it('gives a partner-tier app (from the client registry) half the figures', async () => {
    const t = stack();
    const partner = await t.token('partner', { patientId: t.demo.patientId, sub: `p-${label}` });
    // Its query text is refused (persisted-only), but each request still counts.
    for (let i = 0; i < Math.floor(PER_USER / 2); i++)
      expect((await call(t.stack.gatewayUrl, partner, t)).status).not.toBe(429);
    expectLimited(await call(t.stack.gatewayUrl, partner, t), 'user');
  });

  it('keeps 401 for a missing or invalid token, verified and logged once', async () => {
    const t = stack();
    const url = t.stack.gatewayUrl;
    for (const [token, message] of [
      [undefined, 'A bearer token is required (Authorization: Bearer <token>)'],
      ['not.a.jwt', 'Invalid or expired token'],
    ] as const) {
      // More requests than the user limit: token refusals count only against their address's
      // allowance (RATE_LIMIT_PER_ADDRESS, out of reach in the test stack).
      for (let i = 0; i < PER_USER + 1; i++) {
        const r = await call(url, token, t);
        expect(r.status).toBe(401);
        // Apollo prefixes it with "Context creation failed: ", as it always did.
        expect(r.errors?.[0]?.message).toContain(message);
        expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        const requestId = r.headers.get('x-request-id')!;
        const refusals = t
          .logs()
          .split('\n')
          .filter((l) => l.includes(requestId) && l.includes('token refused'));
        expect(refusals).toHaveLength(1);
      }
    }
  });

  it('counts refusals in the metrics and logs the crossing once', async () => {
    const t = stack();
    const metrics = await (
      await fetch(t.stack.gatewayUrl.replace(/graphql$/, 'metrics'), {
        headers: { authorization: `Bearer ${metricsTokenOf(t.config)!}` },
      })
    ).text();
    expect(metrics).toMatch(
      /carefed_graphql_requests_total\{[^}]*outcome="RATE_LIMITED"[^}]*\} \d+/,
    );
    const crossings = t
      .logs()
      .split('\n')
      .filter((l) => l.includes('rate limit reached') && l.includes(client('a')));
    expect(crossings).toHaveLength(1);
    expect(crossings[0]).toContain('"scope":"user"');
  });
}

describe('rate limits in memory', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack('ratelimit', LIMITS);
  });
  afterAll(() => t?.stop());

  limitsHold(() => t, 'mem');

  it('counts each gateway instance apart without Redis', async () => {
    const second = await extraGateway(t, rateLimitSettings(t.config));
    try {
      const zoe = await tokenOf(t, `rl-${RUN}-mem-e`, 'zoe');
      for (let i = 0; i < PER_USER; i++) expectAllowed(await call(t.stack.gatewayUrl, zoe, t), t);
      expectLimited(await call(t.stack.gatewayUrl, zoe, t), 'user');
      expectAllowed(await call(second.url, zoe, t), t);
    } finally {
      await second.stop();
    }
  });

  it('goes on limiting in memory when Redis cannot be reached', async () => {
    const settings = { ...rateLimitSettings(t.config), redisUrl: 'redis://127.0.0.1:1' };
    const down = await extraGateway(t, settings);
    try {
      expect(t.logs()).toContain('rate-limit store unreachable');
      const kim = await tokenOf(t, `rl-${RUN}-mem-f`, 'kim');
      for (let i = 0; i < PER_USER; i++) expectAllowed(await call(down.url, kim, t), t);
      expectLimited(await call(down.url, kim, t), 'user');
      expectAllowed(await call(down.url, await tokenOf(t, `rl-${RUN}-mem-f`, 'lea'), t), t);
    } finally {
      await down.stop();
    }
  });
});

describe.skipIf(!redisUp)('rate limits in Redis', () => {
  const prefix = `carefed-test:${RUN}`;
  let t: TestStack;
  let redis: Redis;
  beforeAll(async () => {
    t = await startTestStack('ratelimit-redis', {
      ...LIMITS,
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: prefix,
    });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await t?.stop();
    if (!redis) return;
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  limitsHold(() => t, 'redis');

  async function gatewayConnections(): Promise<number> {
    const list = await redis.client('LIST');
    return String(list)
      .split('\n')
      .filter((l) => l.includes(` name=gateway:${prefix} `)).length;
  }

  it('shares counts between gateway instances, and closes its connection on stop', async () => {
    expect(await gatewayConnections()).toBe(1);
    const second = await extraGateway(t, rateLimitSettings(t.config));
    try {
      expect(await gatewayConnections()).toBe(2);
      const max = await tokenOf(t, `rl-${RUN}-redis-e`, 'max');
      for (let i = 0; i < 3; i++) expectAllowed(await call(t.stack.gatewayUrl, max, t), t);
      for (let i = 3; i < PER_USER; i++) expectAllowed(await call(second.url, max, t), t);
      expectLimited(await call(second.url, max, t), 'user');
      expectLimited(await call(t.stack.gatewayUrl, max, t), 'user');
    } finally {
      await second.stop();
    }
    expect(await gatewayConnections()).toBe(1);
  });

  it('keeps counts in Redis under the prefix, with subjects hashed', async () => {
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys).toContain(`${prefix}:client:standard:rl-${RUN}-redis-c`);
    const userKeys = keys.filter((k) => k.startsWith(`${prefix}:user:standard:`));
    expect(userKeys.length).toBeGreaterThan(0);
    for (const k of userKeys) expect(k).not.toMatch(/max|eve|ann|bob/);
    const ttl = await redis.pttl(`${prefix}:client:standard:rl-${RUN}-redis-c`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
