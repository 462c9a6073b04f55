import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DevIssuer, devPrincipal } from './dev-issuer.js';
import { tempKeysDir } from './test-support.js';
import { createTokenVerifier, UnauthenticatedError, type TokenVerifier } from './verify.js';

const ISSUER = 'http://localhost:4000';
const AUDIENCE = 'carefed-api';
const dirs: Array<() => Promise<void>> = [];
let issuer: DevIssuer;
let successor: DevIssuer;
let served: JSONWebKeySet;
let server: Server;
let jwksUrl: URL;

beforeAll(async () => {
  const [a, b] = await Promise.all([tempKeysDir(), tempKeysDir()]);
  dirs.push(a.remove, b.remove);
  issuer = await DevIssuer.load(a.dir, ISSUER, AUDIENCE);
  successor = await DevIssuer.load(b.dir, ISSUER, AUDIENCE);
  served = issuer.jwks();
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all(dirs.map((remove) => remove()));
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  served = issuer.jwks();
});

const remote = (extra: { verifiedTokenCacheEntries?: number } = {}): TokenVerifier =>
  createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks: jwksUrl,
    jwksMaxAgeMs: 60_000,
    ...extra,
  });

async function refusal(v: TokenVerifier, token: string): Promise<string> {
  const err: unknown = await v.verify(token).then(
    () => new Error('token was accepted'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnauthenticatedError);
  return (err as UnauthenticatedError).reason;
}

/** Counts the signature checks jose makes (WebCrypto's verify). */
const signatureChecks = () => vi.spyOn(globalThis.crypto.subtle, 'verify');

describe('verified user tokens are cached', () => {
  it('checks a token signature once, then answers from the cache', async () => {
    const v = remote();
    const p = devPrincipal('clinician', { practitionerId: 'prac-1' });
    const token = await issuer.sign(p);
    const checks = signatureChecks();
    for (let i = 0; i < 50; i++) expect(await v.verify(token)).toEqual(p);
    expect(checks).toHaveBeenCalledTimes(1);
    // The principal handed out is shared, so it is frozen.
    const shared = await v.verify(token);
    expect(Object.isFrozen(shared) && Object.isFrozen(shared.roles)).toBe(true);
    // Another token is verified on its own.
    expect(await v.verify(await issuer.sign(devPrincipal('auditor')))).toEqual(
      devPrincipal('auditor'),
    );
    expect(checks).toHaveBeenCalledTimes(2);
  });

  it('with the cache off, checks every presentation', async () => {
    const v = remote({ verifiedTokenCacheEntries: 0 });
    const token = await issuer.sign(devPrincipal('admin'));
    const checks = signatureChecks();
    for (let i = 0; i < 3; i++) await v.verify(token);
    expect(checks).toHaveBeenCalledTimes(3);
  });

  it('refuses a cached token once it expires', async () => {
    const v = remote();
    const token = await issuer.sign(devPrincipal('admin'), { expiresIn: '30s' });
    expect(await v.verify(token)).toEqual(devPrincipal('admin'));
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 40_000);
    expect(await refusal(v, token)).toBe('expired');
  });

  it('refuses a cached token whose key left the key set at the next JWKS refresh', async () => {
    const v = remote();
    const token = await issuer.sign(devPrincipal('admin'), { expiresIn: '1h' });
    expect(await v.verify(token)).toEqual(devPrincipal('admin'));
    // The issuer rotates: the set now holds only its successor's key.
    served = successor.jwks();
    // Within the key set's age the cached answer stands (as jose's own JWKS cache would)...
    expect(await v.verify(token)).toEqual(devPrincipal('admin'));
    // ...and once the set is older than its age, it is fetched again and the old key is gone.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    expect(await refusal(v, token)).toBe('unknown-key');
    expect(await v.verify(await successor.sign(devPrincipal('admin')))).toEqual(
      devPrincipal('admin'),
    );
  });

  it('re-verifies a cached token in full after the key set is reloaded, even with its key kept', async () => {
    const v = remote();
    const token = await issuer.sign(devPrincipal('billing'), { expiresIn: '1h' });
    await v.verify(token);
    served = { keys: [...issuer.jwks().keys, ...successor.jwks().keys] };
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const checks = signatureChecks();
    expect(await v.verify(token)).toEqual(devPrincipal('billing'));
    expect(checks).toHaveBeenCalledTimes(1);
  });

  it('never caches a refusal: a tampered or unknown token fails every time', async () => {
    const v = remote();
    const token = await issuer.sign(devPrincipal('patient', { patientId: 'pat-1' }));
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'x' })).toString('base64url')}.${s}`;
    for (let i = 0; i < 3; i++) expect(await refusal(v, forged)).toBe('bad-signature');
    const stranger = await successor.sign(devPrincipal('admin'));
    for (let i = 0; i < 2; i++) expect(await refusal(v, stranger)).toBe('unknown-key');
  });
});
