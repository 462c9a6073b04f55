import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DevIssuer, devPrincipal } from './dev-issuer.js';
import { tempKeysDir } from './test-support.js';
import { createTokenVerifier, UnauthenticatedError, type TokenVerifier } from './verify.js';

const ISSUER = 'http://localhost:4000';
const AUDIENCE = 'carefed-api';
const dirs: Array<() => Promise<void>> = [];
let issuer: DevIssuer;

beforeAll(async () => {
  const tmp = await tempKeysDir();
  dirs.push(tmp.remove);
  issuer = await DevIssuer.load(tmp.dir, ISSUER, AUDIENCE);
});
afterAll(async () => Promise.all(dirs.map((remove) => remove())));

async function refusal(token: string, v: TokenVerifier): Promise<string> {
  const err: unknown = await v.verify(token).then(
    () => new Error('token was accepted'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnauthenticatedError);
  return (err as UnauthenticatedError).reason;
}

describe('remote JWKS', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const body =
        req.url === '/.well-known/jwks.json' ? issuer.jwks() : issuer.openidConfiguration();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches the key set over HTTP and verifies against it', async () => {
    const remote = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: new URL('/.well-known/jwks.json', base),
    });
    const p = devPrincipal('patient', { patientId: 'pat-77' });
    expect(await remote.verify(await issuer.sign(p))).toEqual(p);
    const stranger = await tempKeysDir();
    dirs.push(stranger.remove);
    const other = await DevIssuer.load(stranger.dir, ISSUER, AUDIENCE);
    expect(await refusal(await other.sign(p), remote)).toBe('unknown-key');
  });

  it('fails closed when the JWKS endpoint is unreachable', async () => {
    const dead = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: new URL('http://127.0.0.1:1/jwks.json'),
    });
    expect(await refusal(await issuer.sign(devPrincipal('auditor')), dead)).toBe(
      'jwks-unavailable',
    );
  });
});
