import fs from 'node:fs';
import path from 'node:path';
import { auditServer, type AuditFail, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../platform/limits/settings.js';
import { startTestStack, type TestStack } from './support/stack.js';

/**
 * The gateway's limits in production mode, through real HTTP: the checks of
 * the graphql-cop scanner (each must be answered safely), the limits of
 * issue #4 (each refusal with its own code, none a 500), and graphql-http's
 * GraphQL-over-HTTP audit.
 */
let t: TestStack;
let url: string;
let token: string;
beforeAll(async () => {
  t = await startTestStack('limits', { CAREFED_PRODUCTION: '1', RATE_LIMIT_PER_USER: '10000' });
  url = t.stack.gatewayUrl;
  token = await t.token('admin', { sub: 'limits-admin' });
});
afterAll(() => t?.stop());

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body?: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

/** One HTTP request to the gateway, answered as text and, when it is JSON, parsed. */
async function send(
  init: {
    method?: 'GET' | 'POST';
    search?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
    token?: string | null;
  } = {},
): Promise<Answer> {
  const target = new URL(url);
  for (const [k, v] of Object.entries(init.search ?? {})) target.searchParams.set(k, v);
  const bearer = init.token === undefined ? token : init.token;
  const res = await fetch(target, {
    method: init.method ?? 'POST',
    headers: {
      ...(init.method === 'GET' ? {} : { 'content-type': 'application/json' }),
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...init.headers,
    },
    body: init.body,
  });
  const text = await res.text();
  let body: Answer['body'];
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

const post = (query: string, variables?: object, headers?: Record<string, string>) =>
  send({ body: JSON.stringify({ query, variables }), headers });
const codeOf = (a: Answer) => a.body?.errors?.[0]?.extensions?.code;

/** A refusal: the status and code given, one error, no data, nothing leaked. */
function expectRefused(a: Answer, status: number, code: string): void {
  expect({ status: a.status, code: codeOf(a) }, a.text).toEqual({ status, code });
  expect(a.body?.errors).toHaveLength(1);
  expect(a.body?.data ?? null).toBeNull();
  expect(a.text).not.toMatch(/stacktrace|exception|node_modules|at .+\.(ts|js):\d+/i);
}

describe('graphql-cop checks, answered safely', () => {
  it('field suggestions: none, introspection or not', async () => {
    for (const q of [
      'query cop { __schema { directive } }',
      '{ patients { edges { node { nmae { family } } } } }',
      '{ patinet(id: "x") { id } }',
    ]) {
      const a = await post(q);
      expect(a.status, q).toBe(400);
      expect(codeOf(a), q).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(a.text, q).not.toMatch(/Did you mean|"name"|"patient"/);
    }
  });

  it('introspection: refused', async () => {
    for (const q of [
      'query cop { __schema { types { name } } }',
      '{ __type(name: "Patient") { fields { name } } }',
    ]) {
      const a = await post(q);
      expectRefused(a, 400, 'GRAPHQL_VALIDATION_FAILED');
      expect(a.body?.errors?.[0]?.message).toMatch(/introspection/i);
    }
  });

  it('circular introspection: refused', async () => {
    const a = await post(
      'query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }',
    );
    expectRefused(a, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(a.body?.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('GraphiQL detection: no IDE or landing page anywhere in production', async () => {
    // graphql-cop's markers of an IDE, and any script (Express's 404 page echoes the path only).
    const ide = /GraphiQL|graphiql\.min|GraphQL Playground|graphql-playground|embeddable|<script/;
    for (const p of ['/graphql', '/', '/explorer', '/graphiql', '/playground', '/sandbox']) {
      const res = await fetch(new URL(p, url), { headers: { accept: 'text/html' } });
      const text = await res.text();
      expect(res.status, p).toBeGreaterThanOrEqual(400);
      expect(text, p).not.toMatch(ide);
    }
    // The endpoint itself answers in JSON, as to any request without a preflight header.
    const graphql = await fetch(url, { headers: { accept: 'text/html' } });
    expect(graphql.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('GET query: refused as a CSRF risk without a preflight header; with one, it is safe to answer', async () => {
    const search = { query: 'query cop { __typename }' };
    // What a cross-site form or <img> could send: refused before the token is even read.
    for (const bearer of [token, null]) {
      const a = await send({ method: 'GET', search, token: bearer });
      expectRefused(a, 400, 'CSRF_PREVENTED');
    }
    // A browser sends this header only after a CORS preflight, which the gateway does not grant.
    const ok = await send({
      method: 'GET',
      search,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body?.data).toEqual({ __typename: 'Query' });
  });

  it('GET mutation: refused', async () => {
    const before = await t.sql<{ n: string }>('SELECT count(*) AS n FROM patient.patient');
    const mutation = `mutation { createPatient(input: { mrn: "GET-1", name: { family: "Get", given: ["Via"] }, birthDate: "1990-01-01", gender: other }) { id } }`;
    const plain = await send({ method: 'GET', search: { query: mutation } });
    expectRefused(plain, 400, 'CSRF_PREVENTED');
    const preflighted = await send({
      method: 'GET',
      search: { query: mutation },
      headers: { 'apollo-require-preflight': 'true' },
    });
    expectRefused(preflighted, 405, 'METHOD_NOT_ALLOWED');
    expect(preflighted.headers.get('allow')).toBe('POST');
    const after = await t.sql<{ n: string }>('SELECT count(*) AS n FROM patient.patient');
    expect(after).toEqual(before);
  });

  it('form-encoded POST (CSRF): refused, whatever the body says', async () => {
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', 'query=query+cop+%7B+__typename+%7D'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ __typename }\r\n--x--\r\n',
      ],
      ['text/plain', JSON.stringify({ query: '{ __typename }' })],
    ] as const) {
      const a = await send({ headers: { 'content-type': type }, body });
      expectRefused(a, 400, 'CSRF_PREVENTED');
    }
  });

  it('101 aliases: refused (__typename aliases count)', async () => {
    const q = `query cop { ${Array.from({ length: 101 }, (_, i) => `alias${i}:__typename`).join('\n')} }`;
    const a = await post(q);
    expectRefused(a, 400, 'ALIAS_LIMIT_EXCEEDED');
    expect(a.body?.errors?.[0]?.message).toBe(
      `Aliases limit of ${LIMITS.maxAliases} exceeded, found 101.`,
    );
  });

  it('batched array of 10: refused, one answer', async () => {
    const batch = Array.from({ length: 10 }, () => ({ query: 'query cop { __typename }' }));
    const a = await send({ body: JSON.stringify(batch) });
    expect(Array.isArray(a.body)).toBe(false);
    expectRefused(a, 400, 'BATCHING_NOT_ALLOWED');
  });

  it('tracing: nothing in extensions, even when a client asks for a federated trace', async () => {
    const asks: Record<string, string>[] = [{}, { 'apollo-federation-include-trace': 'ftv1' }];
    for (const headers of asks) {
      const a = await post(`{ __typename patient(id: "${t.demo.patientId}") { id } }`, {}, headers);
      expect(a.status).toBe(200);
      expect(a.body?.data?.patient).toEqual({ id: t.demo.patientId });
      expect(a.body?.extensions).toBeUndefined();
      expect(a.text).not.toMatch(/tracing|ftv1|"duration"|startTime/);
    }
  });

  it('10 unknown directives: one error, not ten', async () => {
    const a = await post('query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }');
    expectRefused(a, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(a.body?.errors?.[0]?.message).toBe('Unknown directive "@aa".');
  });

  it('unhandled errors: no exception, stack or internals in extensions', async () => {
    const attempts: Answer[] = [
      await post('query cop { __typename {}'),
      await post('{ patient(id: 42) { id } }'),
      await post('query ($id: ID!) { patient(id: $id) { id } }', { id: { nested: ['x'] } }),
      await send({ body: '{"query": 12}' }),
      await send({ body: '{ "not json' }),
      await send({ body: '' }),
    ];
    for (const a of attempts) {
      expect(a.status, a.text).toBeLessThan(500);
      expect(a.body?.errors?.length, a.text).toBeGreaterThan(0);
      for (const e of a.body?.errors ?? []) {
        expect(e.extensions?.code, a.text).not.toBe('INTERNAL_SERVER_ERROR');
        const keys = Object.keys(e.extensions ?? {});
        expect(
          keys.filter((k) => /exception|stack|originalError|trace/i.test(k)),
          a.text,
        ).toEqual([]);
      }
      expect(a.text).not.toMatch(/stacktrace|exception|node_modules|\.ts:\d+|\.js:\d+/);
    }
  });
});

describe('the limits of issue #4', () => {
  it('500 duplicated fields: refused', async () => {
    const a = await post(`query cop { ${'__typename\n'.repeat(500)} }`);
    expectRefused(a, 400, 'FIELD_REPEAT_LIMIT_EXCEEDED');
  });

  it('depth 20: refused, before anything is fetched', async () => {
    const cycle = ['appointments(first: 1)', 'edges', 'node', 'patient'];
    const levels = [`patient(id: "${t.demo.patientId}")`];
    while (levels.length < 19) levels.push(cycle[(levels.length - 1) % cycle.length]!);
    const q = `{ ${levels.join(' { ')} { id }${' }'.repeat(levels.length - 1)} }`;
    const a = await post(q);
    expectRefused(a, 400, 'DEPTH_LIMIT_EXCEEDED');
    expect(a.body?.errors?.[0]?.message).toBe(
      `Query depth limit of ${LIMITS.maxDepth} exceeded, found 20.`,
    );
  });

  it('a 2 MB body: refused with 413 before it is parsed', async () => {
    const a = await send({
      body: JSON.stringify({
        query: '{ __typename }',
        variables: { pad: 'x'.repeat(2 * 1024 * 1024) },
      }),
    });
    expect(a.headers.get('content-type')).toMatch(/^application\/json/);
    expectRefused(a, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('cost: 100 patients with their appointments refused, where the page size is a variable', async () => {
    const q = `query ($n: Int) { patients(first: $n) { edges { node {
      id name { family given } telecom { value } consents { id status }
      appointments(first: $n) { edges { node { id start practitioner { id } } } } } } } }`;
    const a = await post(q, { n: 100 });
    expectRefused(a, 400, 'COST_LIMIT_EXCEEDED');
    expect(a.body?.errors?.[0]?.message).toMatch(
      new RegExp(`^Query cost limit of ${LIMITS.maxCost} exceeded \\(estimated \\d+\\)`),
    );
    const small = await post(q, { n: 2 });
    expect(small.status).toBe(200);
    expect(small.body?.errors).toBeUndefined();
  });

  it('tokens and directives: refused over their limits', async () => {
    expectRefused(
      await post(`{ ${'__typename '.repeat(LIMITS.maxTokens)}}`),
      400,
      'TOKEN_LIMIT_EXCEEDED',
    );
    expectRefused(
      await post(`{ __typename ${'@include(if: true) '.repeat(LIMITS.maxDirectives + 1)}}`),
      400,
      'DIRECTIVE_LIMIT_EXCEEDED',
    );
  });

  it('the seeded operations still run at their largest page', async () => {
    const dir = path.resolve('schema', 'operations');
    const text = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
    const a = await post(text('PatientAppointments.graphql'), { id: t.demo.patientId, first: 100 });
    expect(a.status, a.text).toBe(200);
    expect(a.body?.errors, a.text).toBeUndefined();
    const b = await post(`${text('PatientById.graphql')}\n${text('PatientSummary.graphql')}`, {
      id: t.demo.patientId,
    });
    expect((b.body?.data?.patient as { id: string }).id).toBe(t.demo.patientId);
  });
});

describe("graphql-http's GraphQL-over-HTTP audit", () => {
  /** Every audit, run with a valid token on each request. */
  const audit = async (target: string, bearer: string): Promise<AuditResult[]> =>
    auditServer({
      url: target,
      fetchFn: (input: string | URL | Request, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${bearer}`);
        return fetch(input, { ...init, headers });
      },
    });
  const failures = (results: AuditResult[]) =>
    results.filter((r) => r.status === 'error').map((r) => `${r.id} ${r.name}`);

  /** Each result short of `ok` is explained, by id, in docs/api.md. */
  function expectExplained(results: AuditResult[]): void {
    const docs = fs.readFileSync(path.resolve('docs', 'api.md'), 'utf8');
    const at = docs.indexOf('## GraphQL over HTTP compliance');
    expect(at).toBeGreaterThan(0);
    const end = docs.indexOf('\n## ', at + 1);
    const section = docs.slice(at, end < 0 ? undefined : end);
    for (const r of results.filter((x) => x.status !== 'ok'))
      expect(section, `${r.id} ${r.name}`).toContain(`\`${r.id}\``);
  }

  it('development gateway (every limit on, introspection allowed): no failures', async () => {
    const dev = await startTestStack('limits-dev', { RATE_LIMIT_PER_USER: '10000' });
    try {
      const results = await audit(dev.stack.gatewayUrl, await dev.token('admin'));
      expect(failures(results)).toEqual([]);
      expect(results.filter((r) => r.status === 'ok').length).toBeGreaterThan(30);
      expectExplained(results);
    } finally {
      await dev.stop();
    }
  });

  it('production gateway: the only failures are the two audits that need introspection', async () => {
    const results = await audit(url, token);
    // Both query `__type`: refused (400) where introspection is off, as it must be.
    expect(failures(results)).toEqual([
      'BF61 MUST accept utf-8 encoded request',
      '28B9 MUST allow map {variables} parameter when accepting application/json',
    ]);
    for (const r of results.filter((x) => x.status === 'error')) {
      const res = (r as AuditFail).response;
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/introspection/i);
    }
    expectExplained(results);
  });
});
