import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyErrors, PAYLOAD_TOO_LARGE } from './body-errors.js';

/** A real Express app with the JSON parser and the handler, over real HTTP. */
let server: http.Server;
let url: string;
beforeAll(async () => {
  const app = express();
  const fail: express.RequestHandler = (_req, _res, next) => next(new Error('not a body error'));
  app.use('/boom', fail, bodyErrors);
  app.use(
    '/graphql',
    express.json({ limit: '1kb' }),
    bodyErrors,
    (_req: express.Request, res: express.Response) => void res.json({ ok: true }),
  );
  app.use(
    ((_err, _req, res, _next) => void res.status(599).send('other')) as express.ErrorRequestHandler,
  );
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('bodyErrors', () => {
  it('answers a body over the limit with 413 and PAYLOAD_TOO_LARGE, in JSON', async () => {
    const res = await post(JSON.stringify({ query: `{ a } #${'x'.repeat(2048)}` }));
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/json; charset=utf-8/);
    const body = (await res.json()) as {
      errors: { message: string; extensions: { code: string } }[];
    };
    expect(body.errors).toEqual([
      {
        message: 'Request body is larger than 1024 bytes',
        extensions: { code: PAYLOAD_TOO_LARGE },
      },
    ]);
  });

  it('answers JSON that does not parse with 400 BAD_REQUEST, never echoing the body', async () => {
    const res = await post('{ "query": "secret-value', {
      accept: 'application/graphql-response+json',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(text).not.toContain('secret-value');
  });

  it('answers an unsupported charset with 415', async () => {
    const res = await post('{}', { 'content-type': 'application/json; charset=latin1' });
    expect(res.status).toBe(415);
  });

  it('lets a good body through and leaves other errors to the next handler', async () => {
    expect(await (await post('{"query":"{ a }"}')).json()).toEqual({ ok: true });
    const other = await fetch(url.replace('/graphql', '/boom'), { method: 'POST' });
    expect([other.status, await other.text()]).toEqual([599, 'other']);
  });
});
