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
  subgraphAudience,
  type InternalTokenVerifier,
} from './internal-token.js';
import type { BoundOperation } from './operation-hash.js';
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

const OP: BoundOperation = { query: '{ me { subject } }', variables: { a: 1, b: [1, { c: 'x' }] } };
/** Where and what a test token is for. */
const to = (requestId: string, ip?: string) => ({
  requestId,
  ...(ip ? { ip } : {}),
  subgraph: 'patient',
  operation: OP,
});
const expected = { subgraph: 'patient', operation: OP };

async function reason(token: string, exp = expected): Promise<string> {
  const err: unknown = await verifier.verify(token, exp).then(
    () => new Error('accepted'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnauthenticatedError);
  return (err as UnauthenticatedError).reason;
}

describe('internal gateway token', () => {
  it('round-trips the principal, request id and IP', async () => {
    const principal = devPrincipal('clinician', { patientId: 'pat-1', organizationId: 'org-9' });
    const token = await signer.sign(principal, to('req-123', '10.0.0.7'));
    expect(await verifier.verify(token, expected)).toEqual({
      principal,
      requestId: 'req-123',
      ip: '10.0.0.7',
    });
    const noIp = await signer.sign(devPrincipal('auditor'), to('r2'));
    expect(await verifier.verify(noIp, expected)).toEqual({
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
    const token = await explicit.sign(devPrincipal('patient'), to('r3'));
    expect((await verifier.verify(token, expected)).principal).toEqual(devPrincipal('patient'));
    expect(() =>
      createInternalTokenVerifier({ kty: 'EC', crv: 'P-256', x: 'a', kid: 'k' }),
    ).toThrow();
  });

  it('refuses a token signed by another key', async () => {
    const other = await tempKeysDir();
    removals.push(other.remove);
    const stranger = await InternalTokenSigner.load(other.dir);
    expect(await reason(await stranger.sign(devPrincipal('admin'), to('r')))).toBe('unknown-key');
    // Same kid, wrong key: the signature itself must fail.
    const { key } = await readStoredKey(other.dir, 'gateway-signing.jwk.json', 'EdDSA');
    const forged = await new SignJWT({ ...claimsFromPrincipal(devPrincipal('admin')), rid: 'r' })
      .setProtectedHeader({ alg: 'EdDSA', kid: signer.publicJwk.kid, typ: 'carefed-internal+jwt' })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(subgraphAudience('patient'))
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(key);
    expect(await reason(forged)).toBe('bad-signature');
  });

  it('refuses an expired token', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 120_000);
    const old = await signer.sign(devPrincipal('billing'), to('r-old'));
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
        .setAudience(subgraphAudience('patient'))
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(key);
    expect(await reason(await sign('carefed-internal+jwt', {}))).toBe('missing-claim');
    expect(await reason(await sign('JWT', { rid: 'r' }))).toBe('wrong-type');
    const full = { rid: 'r', jti: 'j-1', oph: 'x' };
    expect(await reason(await sign('carefed-internal+jwt', { ...full, roles: ['god'] }))).toBe(
      'bad-claims',
    );
    expect(await reason(await sign('carefed-internal+jwt', { rid: 'r', oph: 'x' }))).toBe(
      'missing-claim',
    );
  });

  it('#4 opens only the subgraph it was signed for', async () => {
    const token = await signer.sign(devPrincipal('admin'), to('r-aud'));
    expect(await reason(token, { ...expected, subgraph: 'billing' })).toBe('wrong-audience');
    // The shared audience of old tokens opens no subgraph.
    const issuer = INTERNAL_AUDIENCE;
    expect(issuer).not.toBe(subgraphAudience('patient'));
    expect((await verifier.verify(token, expected)).requestId).toBe('r-aud');
  });

  it('#4 is bound to the operation text and variables, in any key order', async () => {
    const token = await signer.sign(devPrincipal('admin'), to('r-op'));
    const other = {
      subgraph: 'patient',
      operation: { query: `${String(OP.query)} `, variables: OP.variables },
    };
    expect(await reason(token, other)).toBe('bad-claims');
    const vars = {
      ...expected,
      operation: { query: OP.query, variables: { a: 2, b: [1, { c: 'x' }] } },
    };
    expect(await reason(token, vars)).toBe('bad-claims');
    const reordered = {
      ...expected,
      operation: { query: OP.query, variables: { b: [1, { c: 'x' }], a: 1 } },
    };
    expect((await verifier.verify(token, reordered)).requestId).toBe('r-op');
  });

  it('#4 is single-use: a second presentation is a replay', async () => {
    const token = await signer.sign(devPrincipal('admin'), to('r-once'));
    expect((await verifier.verify(token, expected)).requestId).toBe('r-once');
    expect(await reason(token)).toBe('bad-claims');
    // A token refused for another reason does not spend its id.
    const fresh = await signer.sign(devPrincipal('admin'), to('r-twice'));
    expect(await reason(fresh, { ...expected, subgraph: 'billing' })).toBe('wrong-audience');
    expect((await verifier.verify(fresh, expected)).requestId).toBe('r-twice');
  });

  it('#4 lives seconds: a longer-lived token is refused', async () => {
    const long = await InternalTokenSigner.load(keysDir, 60);
    expect(await reason(await long.sign(devPrincipal('admin'), to('r-long')))).toBe('bad-claims');
    const payload = JSON.parse(
      Buffer.from(
        (await signer.sign(devPrincipal('admin'), to('r-ttl'))).split('.')[1]!,
        'base64url',
      ).toString(),
    ) as { exp: number; iat: number; aud: string; jti: string };
    expect(payload.exp - payload.iat).toBe(10);
    expect(payload.aud).toBe('carefed-subgraph:patient');
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });
});
