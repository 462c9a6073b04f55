import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DevIssuer, devPrincipal } from './dev-issuer.js';
import { b64json, readStoredKey, tempKeysDir } from './test-support.js';
import { createTokenVerifier, UnauthenticatedError, type TokenVerifier } from './verify.js';

const ISSUER = 'http://localhost:4000';
const AUDIENCE = 'carefed-api';
const ALGS = ['ES256', 'RS256', 'EdDSA'];
const dirs: Array<() => Promise<void>> = [];
let issuer: DevIssuer;
let keysDir: string;
let verifier: TokenVerifier;

beforeAll(async () => {
  const tmp = await tempKeysDir();
  dirs.push(tmp.remove);
  keysDir = tmp.dir;
  issuer = await DevIssuer.load(keysDir, ISSUER, AUDIENCE);
  verifier = createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ALGS,
    jwks: issuer.jwks(),
  });
});
afterAll(async () => Promise.all(dirs.map((remove) => remove())));

async function refusal(token: string, v: TokenVerifier = verifier): Promise<string> {
  const err: unknown = await v.verify(token).then(
    () => new Error('token was accepted'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnauthenticatedError);
  const u = err as UnauthenticatedError;
  expect(u.code).toBe('UNAUTHENTICATED');
  expect(u.message).toBe('Invalid or expired token');
  return u.reason;
}

describe('createTokenVerifier', () => {
  it('verifies a dev token to its principal', async () => {
    const p = devPrincipal('clinician', { practitionerId: 'pr-1', patientId: 'pat-3' });
    expect(await verifier.verify(await issuer.sign(p))).toEqual(p);
    expect(await verifier.verify(await issuer.sign(devPrincipal('partner')))).toEqual(
      devPrincipal('partner'),
    );
  });

  it('refuses alg none and HS256 signed with the public key (key confusion)', async () => {
    const claims = { ...devPrincipal('admin'), roles: ['admin'], client_id: 'x' };
    const none = new UnsecuredJWT(claims)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .encode();
    expect(await refusal(none)).toBe('bad-algorithm');
    const publicBytes = new TextEncoder().encode(JSON.stringify(issuer.jwks().keys[0]));
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: issuer.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('attacker')
      .setExpirationTime('1h')
      .sign(publicBytes);
    expect(await refusal(hs)).toBe('bad-algorithm');
  });

  it('refuses expired, not yet valid and exp-less tokens', async () => {
    const p = devPrincipal('billing');
    expect(await refusal(await issuer.sign(p, { expiresIn: -60 }))).toBe('expired');
    expect(await refusal(await issuer.sign(p, { notBefore: 600 }))).toBe('not-yet-valid');
    const { key } = await readStoredKey(keysDir, 'dev-issuer.jwk.json', 'ES256');
    const noExp = await new SignJWT({ roles: ['billing'], client_id: 'x' })
      .setProtectedHeader({ alg: 'ES256', kid: issuer.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('u1')
      .sign(key);
    expect(await refusal(noExp)).toBe('missing-claim');
  });

  it('#16 refuses tokens without iat, issued in the future, or living longer than the maximum', async () => {
    const { key } = await readStoredKey(keysDir, 'dev-issuer.jwk.json', 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const raw = (times: { iat?: number; exp: number }) => {
      const jwt = new SignJWT({ roles: ['billing'], client_id: 'x' })
        .setProtectedHeader({ alg: 'ES256', kid: issuer.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('u1')
        .setExpirationTime(times.exp);
      if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
      return jwt.sign(key);
    };
    const century = now + 100 * 365 * 86_400;
    // The assessment's tokens: a 100-year exp, and no iat at all.
    expect(await refusal(await raw({ iat: now, exp: century }))).toBe('too-long-lived');
    expect(await refusal(await raw({ exp: now + 600 }))).toBe('missing-claim');
    // iat in the future beyond the 5 s skew, or long ago (a lifetime hidden by a late iat).
    expect(await refusal(await raw({ iat: now + 120, exp: now + 600 }))).toBe('not-yet-valid');
    expect(await refusal(await raw({ iat: now - 50_000, exp: now + 600 }))).toBe('too-long-lived');
    // Within the default 12 hours, and a 2 s skew: accepted.
    expect((await verifier.verify(await raw({ iat: now + 2, exp: now + 43_200 }))).sub).toBe('u1');

    const strict = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ALGS,
      jwks: issuer.jwks(),
      maxLifetimeSec: 900,
    });
    const err = await strict
      .verify(await raw({ iat: now, exp: now + 3600 }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthenticatedError);
    expect((err as UnauthenticatedError).reason).toBe('too-long-lived');
    expect((await strict.verify(await raw({ iat: now, exp: now + 900 }))).sub).toBe('u1');
  });

  it('refuses a wrong issuer or audience', async () => {
    const p = devPrincipal('scheduler');
    const elsewhere = await DevIssuer.load(keysDir, 'http://evil.example', AUDIENCE);
    expect(await refusal(await elsewhere.sign(p))).toBe('wrong-issuer');
    expect(await refusal(await issuer.sign(p, { audience: 'other-api' }))).toBe('wrong-audience');
  });

  it('refuses a tampered payload and keys it does not know', async () => {
    const [header, , signature] = (await issuer.sign(devPrincipal('scheduler'))).split('.');
    const forged = b64json({
      ...devPrincipal('admin'),
      roles: ['admin'],
      client_id: 'x',
      iss: ISSUER,
      aud: AUDIENCE,
      exp: 2e9,
    });
    expect(await refusal(`${header}.${forged}.${signature}`)).toBe('bad-signature');

    const other = await tempKeysDir();
    dirs.push(other.remove);
    const stranger = await DevIssuer.load(other.dir, ISSUER, AUDIENCE);
    expect(stranger.kid).not.toBe(issuer.kid);
    expect(await refusal(await stranger.sign(devPrincipal('admin')))).toBe('unknown-key');
    const { key } = await readStoredKey(other.dir, 'dev-issuer.jwk.json', 'ES256');
    const borrowedKid = await new SignJWT({ roles: ['admin'], client_id: 'x' })
      .setProtectedHeader({ alg: 'ES256', kid: issuer.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('u1')
      .setExpirationTime('1h')
      .sign(key);
    expect(await refusal(borrowedKid)).toBe('bad-signature');
  });

  it('refuses unknown roles and garbage', async () => {
    const token = await issuer.sign(devPrincipal('admin'), {
      extraClaims: { roles: ['admin', 'root'] },
    });
    expect(await refusal(token)).toBe('bad-claims');
    expect(await refusal('not.a.jwt')).toBe('malformed');
    expect(await refusal('')).toBe('malformed');
  });

  it('refuses unsafe configuration', () => {
    const opts = { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [] } };
    expect(() => createTokenVerifier({ ...opts, algorithms: ['ES256', 'none'] })).toThrow(
      /refused: none/,
    );
    expect(() => createTokenVerifier({ ...opts, algorithms: ['HS256'] })).toThrow(/refused: HS256/);
    expect(() => createTokenVerifier({ ...opts, algorithms: [] })).toThrow();
    const oct = { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] };
    expect(() => createTokenVerifier({ ...opts, algorithms: ['ES256'], jwks: oct })).toThrow(
      /public/,
    );
  });
});
