import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { DevIssuer, devPrincipal } from './dev-issuer.js';
import { UnauthenticatedError } from './errors.js';
import {
  createInternalTokenVerifier,
  INTERNAL_AUDIENCE,
  INTERNAL_ISSUER,
  InternalTokenSigner,
  loadGatewayPublicJwk,
  type InternalTokenVerifier,
} from './internal-token.js';
import { claimsFromPrincipal } from './claims.js';
import { readStoredKey, tempKeysDir } from './test-support.js';

const removals: Array<() => Promise<void>> = [];
let keysDir: string;
let signer: InternalTokenSigner;
let verifier: InternalTokenVerifier;

beforeAll(async () => {
  const tmp = await tempKeysDir();
  removals.push(tmp.remove);
  keysDir = tmp.dir;
  signer = await InternalTokenSigner.load(keysDir);
  verifier = createInternalTokenVerifier(await loadGatewayPublicJwk(keysDir));
});
afterAll(async () => Promise.all(removals.map((remove) => remove())));

async function reason(token: string): Promise<string> {
  const err: unknown = await verifier.verify(token).then(
    () => new Error('accepted'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnauthenticatedError);
  return (err as UnauthenticatedError).reason;
}

describe('internal gateway token', () => {
  it('round-trips the principal, request id and IP', async () => {
    const principal = devPrincipal('clinician', { patientId: 'pat-1', organizationId: 'org-9' });
    const token = await signer.sign(principal, { requestId: 'req-123', ip: '10.0.0.7' });
    expect(await verifier.verify(token)).toEqual({
      principal,
      requestId: 'req-123',
      ip: '10.0.0.7',
    });
    const noIp = await signer.sign(devPrincipal('auditor'), { requestId: 'r2' });
    expect(await verifier.verify(noIp)).toEqual({
      principal: devPrincipal('auditor'),
      requestId: 'r2',
    });
  });

  it('keeps one key on disk and publishes only its public half', async () => {
    const again = await InternalTokenSigner.load(keysDir);
    expect(again.publicJwk).toEqual(signer.publicJwk);
    expect(signer.publicJwk).not.toHaveProperty('d');
    const { jwk } = await readStoredKey(keysDir, 'gateway-signing.jwk.json', 'EdDSA');
    const explicit = await InternalTokenSigner.load(jwk);
    const token = await explicit.sign(devPrincipal('patient'), { requestId: 'r3' });
    expect((await verifier.verify(token)).principal).toEqual(devPrincipal('patient'));
    expect(() =>
      createInternalTokenVerifier({ kty: 'EC', crv: 'P-256', x: 'a', kid: 'k' }),
    ).toThrow();
  });

  it('refuses a token signed by another key', async () => {
    const other = await tempKeysDir();
    removals.push(other.remove);
    const stranger = await InternalTokenSigner.load(other.dir);
    expect(await reason(await stranger.sign(devPrincipal('admin'), { requestId: 'r' }))).toBe(
      'unknown-key',
    );
    // Same kid, wrong key: the signature itself must fail.
    const { key } = await readStoredKey(other.dir, 'gateway-signing.jwk.json', 'EdDSA');
    const forged = await new SignJWT({ ...claimsFromPrincipal(devPrincipal('admin')), rid: 'r' })
      .setProtectedHeader({ alg: 'EdDSA', kid: signer.publicJwk.kid, typ: 'carefed-internal+jwt' })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(INTERNAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key);
    expect(await reason(forged)).toBe('bad-signature');
  });

  it('refuses an expired token', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 120_000);
    const old = await signer.sign(devPrincipal('billing'), { requestId: 'r-old' });
    vi.useRealTimers();
    expect(await reason(old)).toBe('expired');
  });

  it('refuses user tokens and internal tokens without a request id', async () => {
    const other = await tempKeysDir();
    removals.push(other.remove);
    const issuer = await DevIssuer.load(other.dir, INTERNAL_ISSUER, INTERNAL_AUDIENCE);
    expect(await reason(await issuer.sign(devPrincipal('admin')))).toBe('bad-algorithm');
    const { key } = await readStoredKey(keysDir, 'gateway-signing.jwk.json', 'EdDSA');
    const claims = claimsFromPrincipal(devPrincipal('admin'));
    const sign = (typ: string, extra: Record<string, unknown>) =>
      new SignJWT({ ...claims, ...extra })
        .setProtectedHeader({ alg: 'EdDSA', kid: signer.publicJwk.kid, typ })
        .setIssuer(INTERNAL_ISSUER)
        .setAudience(INTERNAL_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(key);
    expect(await reason(await sign('carefed-internal+jwt', {}))).toBe('missing-claim');
    expect(await reason(await sign('JWT', { rid: 'r' }))).toBe('wrong-type');
    expect(await reason(await sign('carefed-internal+jwt', { rid: 'r', roles: ['god'] }))).toBe(
      'bad-claims',
    );
  });
});
