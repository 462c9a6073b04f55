import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, importJWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  ed25519PrivateKey,
  ed25519PublicKey,
  encodedEdDsaHeader,
  openEdDsa,
  signEdDsa,
} from './compact-jws.js';
import { UnauthenticatedError } from './errors.js';
import { checkRegisteredClaims } from './internal-claims.js';

const pair = generateKeyPairSync('ed25519');
const privateJwk = await exportJWK(pair.privateKey);
const publicJwk = await exportJWK(pair.publicKey);
const KID = 'k1';
const signing = ed25519PrivateKey(privateJwk);
const verifying = ed25519PublicKey(publicJwk);
const header = encodedEdDsaHeader(KID, 'test+jwt');

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UnauthenticatedError);
    return (err as UnauthenticatedError).reason;
  }
  throw new Error('accepted');
}

describe('compact EdDSA JWS on node:crypto', () => {
  it('writes tokens jose verifies, and opens tokens jose signs', async () => {
    const token = signEdDsa(header, { sub: 'a', n: 1 }, signing);
    const { payload, protectedHeader } = await jwtVerify(
      token,
      await importJWK(publicJwk, 'EdDSA'),
      { typ: 'test+jwt' },
    );
    expect(payload).toEqual({ sub: 'a', n: 1 });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: KID, typ: 'test+jwt' });
    const byJose = await new SignJWT({ sub: 'b' })
      .setProtectedHeader({ alg: 'EdDSA', kid: KID, typ: 'x' })
      .sign(await importJWK(privateJwk, 'EdDSA'));
    expect(openEdDsa(byJose, KID, verifying).payload).toEqual({ sub: 'b' });
  });

  it('refuses tampering, other keys, other algorithms and garbage', () => {
    const token = signEdDsa(header, { sub: 'a' }, signing);
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.${s}`;
    expect(reason(() => openEdDsa(forged, KID, verifying))).toBe('bad-signature');
    const other = generateKeyPairSync('ed25519');
    const stranger = signEdDsa(header, { sub: 'a' }, other.privateKey);
    expect(reason(() => openEdDsa(stranger, KID, verifying))).toBe('bad-signature');
    expect(reason(() => openEdDsa(token, 'k2', verifying))).toBe('unknown-key');
    const none = `${Buffer.from('{"alg":"none","kid":"k1"}').toString('base64url')}.${token.split('.')[1]}.`;
    expect(reason(() => openEdDsa(none, KID, verifying))).toBe('malformed');
    const none2 = `${Buffer.from('{"alg":"none","kid":"k1"}').toString('base64url')}.${token.split('.')[1]}.${s}`;
    expect(reason(() => openEdDsa(none2, KID, verifying))).toBe('bad-algorithm');
    const critHeader = Buffer.from(
      JSON.stringify({ alg: 'EdDSA', kid: KID, crit: ['exp'], exp: 1 }),
    ).toString('base64url');
    const crit = signEdDsa(critHeader, {}, signing);
    expect(reason(() => openEdDsa(crit, KID, verifying))).toBe('malformed');
    for (const garbage of ['', 'a.b', 'a.b.c.d', '!!.??.**', `${token}x`, 'x'.repeat(20_000)])
      expect(['malformed', 'bad-signature']).toContain(
        reason(() => openEdDsa(garbage, KID, verifying)),
      );
  });

  it('checks registered claims in jose order, with its reasons', () => {
    const rules = {
      typ: 'test+jwt',
      issuer: 'iss',
      audience: 'aud',
      required: ['exp', 'iat', 'sub'],
      maxAgeSec: 15,
      toleranceSec: 5,
    };
    const now = 1_000_000;
    const ok = { iss: 'iss', aud: 'aud', sub: 's', iat: now, exp: now + 10 };
    const check = (payload: Record<string, unknown>, typ = 'test+jwt') =>
      reason(() => checkRegisteredClaims({ header: { typ }, payload }, rules, now));
    expect(() =>
      checkRegisteredClaims({ header: { typ: 'test+jwt' }, payload: ok }, rules, now),
    ).not.toThrow();
    expect(check(ok, 'JWT')).toBe('wrong-type');
    expect(check({ ...ok, iat: 'yesterday' })).toBe('bad-claims');
    const noSub: Record<string, unknown> = { ...ok };
    delete noSub.sub;
    expect(check(noSub)).toBe('missing-claim');
    expect(check({ ...ok, iss: 'other' })).toBe('wrong-issuer');
    expect(check({ ...ok, aud: ['aud', 'other'] })).toBe('wrong-audience');
    expect(check({ ...ok, exp: now - 5 })).toBe('expired');
    expect(() =>
      checkRegisteredClaims(
        { header: { typ: 'test+jwt' }, payload: { ...ok, exp: now - 4 } },
        rules,
        now,
      ),
    ).not.toThrow();
    expect(check({ ...ok, nbf: now + 6 })).toBe('not-yet-valid');
    expect(check({ ...ok, iat: now + 6 })).toBe('not-yet-valid');
    expect(check({ ...ok, iat: now - 21 })).toBe('too-long-lived');
  });
});
