import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { DEV_SCOPES, DevIssuer, devIssuerUrl, devPrincipal } from './dev-issuer.js';
import { tempKeysDir } from './test-support.js';

const removals: Array<() => Promise<void>> = [];
afterAll(async () => Promise.all(removals.map((remove) => remove())));

describe('DevIssuer', () => {
  it('creates one private key (0600, with kid) and reuses it', async () => {
    const { dir, remove } = await tempKeysDir();
    removals.push(remove);
    const keysDir = path.join(dir, 'data', 'keys');
    const [a, b] = await Promise.all([
      DevIssuer.load(keysDir, devIssuerUrl(4000), 'carefed-api'),
      DevIssuer.load(keysDir, devIssuerUrl(4000), 'carefed-api'),
    ]);
    expect(a.jwks()).toEqual(b.jwks());
    const file = path.join(keysDir, 'dev-issuer.jwk.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(keysDir)).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: a.kid });
    expect(stored.d).toEqual(expect.any(String));
    const reloaded = await DevIssuer.load(keysDir, devIssuerUrl(4000), 'carefed-api');
    expect(reloaded.kid).toBe(a.kid);
  });

  it('publishes public keys and a discovery document', async () => {
    const { dir, remove } = await tempKeysDir();
    removals.push(remove);
    const issuer = await DevIssuer.load(dir, devIssuerUrl(4123), 'carefed-api');
    const [key] = issuer.jwks().keys;
    expect(Object.keys(key!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(issuer.openidConfiguration()).toMatchObject({
      issuer: 'http://localhost:4123',
      jwks_uri: 'http://localhost:4123/.well-known/jwks.json',
      token_endpoint: 'http://localhost:4123/oauth/token',
      id_token_signing_alg_values_supported: ['ES256'],
      scopes_supported: expect.arrayContaining(['openid', 'user/*.cruds', 'patient/Consent.cruds']),
    });
  });
});

describe('devPrincipal', () => {
  it('gives each role its scopes, context and purpose', () => {
    expect(devPrincipal('patient')).toMatchObject({
      roles: ['patient'],
      scopes: DEV_SCOPES.patient.split(' '),
      patientId: 'demo-patient',
      purposeOfUse: 'PATRQT',
    });
    expect(devPrincipal('clinician').scopes).toEqual(['user/*.cruds']);
    expect(devPrincipal('clinician').practitionerId).toBe('demo-practitioner');
    expect(devPrincipal('researcher')).not.toHaveProperty('patientId');
    expect(devPrincipal('partner').purposeOfUse).toBe('PATRQT');
    expect(devPrincipal('partner', { patientId: undefined }).purposeOfUse).toBe('PATRQT');
    expect(devPrincipal('researcher', { sub: 'r1' })).toMatchObject({
      sub: 'r1',
      purposeOfUse: 'HRESCH',
    });
  });
});

describe('DevIssuer.sign', () => {
  it('#5 #16 signs no purpose its roles may not assert and no token beyond the maximum lifetime', async () => {
    const { dir, remove } = await tempKeysDir();
    try {
      const issuer = await DevIssuer.load(dir, 'http://localhost:4123', 'carefed-api', 3600);
      await expect(
        issuer.sign(devPrincipal('clinician', { purposeOfUse: 'HOPERAT' })),
      ).rejects.toThrow(/HOPERAT is not allowed for roles clinician; allowed: TREAT/);
      await expect(issuer.sign(devPrincipal('billing'), { expiresIn: '100y' })).rejects.toThrow(
        /exceeds the maximum of 3600 s/,
      );
      expect(await issuer.sign(devPrincipal('billing'), { expiresIn: 3600 })).toMatch(/^ey/);
    } finally {
      await remove();
    }
  });
});
