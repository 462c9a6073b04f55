import { describe, expect, it } from 'vitest';
import type { Principal } from '../../platform/identity/principal.js';
import { ClientRegistry } from './registry.js';
import { grantScopes } from './scopes.js';
import { hashClientSecret, newClientSecret, verifyClientSecret } from './secret.js';

describe('client secrets', () => {
  it('hash with scrypt and a fresh salt, and verify only the right secret', async () => {
    const secret = newClientSecret();
    const [a, b] = await Promise.all([hashClientSecret(secret), hashClientSecret(secret)]);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(await verifyClientSecret(secret, a)).toBe(true);
    expect(await verifyClientSecret(`${secret}x`, a)).toBe(false);
    expect(await verifyClientSecret(secret, 'plain-text')).toBe(false);
    // A cost no one would choose, meant to exhaust memory, is refused unchecked.
    expect(await verifyClientSecret(secret, a.replace('$32768$', '$16777216$'))).toBe(false);
  });
});

describe('scope narrowing', () => {
  const allowed = [
    'patient/Patient.rs',
    'patient/*.r',
    'launch/patient',
    'patient/Observation.rs?category=vital-signs',
  ];

  it('grants requested scopes an allowed one covers, and nothing else', () => {
    expect(
      grantScopes(
        [
          'patient/Patient.rs',
          'patient/Patient.r',
          'patient/Consent.r',
          'patient/Consent.rs',
          'user/Patient.rs',
          'launch/patient',
          'openid',
          'patient/Observation.rs?category=vital-signs',
          'patient/Observation.rs?category=laboratory',
        ],
        allowed,
      ),
    ).toEqual([
      'patient/Patient.rs',
      'patient/Patient.r',
      'patient/Consent.r',
      'launch/patient',
      'patient/Observation.rs?category=vital-signs',
    ]);
  });

  it('grants every allowed scope when none is requested, and nothing for an empty request', () => {
    expect(grantScopes(undefined, allowed)).toEqual(allowed);
    expect(grantScopes([], allowed)).toEqual([]);
  });
});

describe('client registry', () => {
  const entry = {
    id: 'app-1',
    allowedScopes: ['patient/Patient.rs'],
    persistedOnly: true,
    rateLimitTier: 'partner',
  };

  it('parses the CLIENTS_FILE format and refuses unknown fields, bad hashes and duplicates', async () => {
    const secret = newClientSecret();
    const registry = ClientRegistry.parse(
      {
        clients: [
          {
            ...entry,
            secretHash: await hashClientSecret(secret),
            patientBinding: { required: true },
          },
        ],
      },
      'test',
    );
    expect((await registry.authenticate('app-1', secret))?.id).toBe('app-1');
    expect(await registry.authenticate('app-1', 'wrong')).toBeUndefined();
    expect(await registry.authenticate('app-2', secret)).toBeUndefined();
    expect(registry.rateLimitTier('app-1')).toBe('partner');
    expect(() => ClientRegistry.parse({ clients: [{ ...entry, secret }] }, 'f.json')).toThrow(
      /f\.json/,
    );
    expect(() =>
      ClientRegistry.parse({ clients: [{ ...entry, secretHash: 'md5:abc' }] }, 'f'),
    ).toThrow(/secretHash/);
    expect(() => ClientRegistry.parse({ clients: [entry, entry] }, 'f')).toThrow(/twice/);
  });

  it('holds listed clients to their flag and every unlisted client to the manifest (#24)', async () => {
    const registry = new ClientRegistry([
      entry,
      { ...entry, id: 'first-party', persistedOnly: false },
    ]);
    expect(registry.persistedOnly({ clientId: 'app-1' })).toBe(true);
    expect(registry.persistedOnly({ clientId: 'first-party' })).toBe(false);
    // Whatever the token's role: an unknown app holding patient tokens runs no free query.
    expect(registry.persistedOnly({ clientId: 'stranger' })).toBe(true);
    // A client without a secret cannot use client credentials.
    expect(await registry.authenticate('first-party', '')).toBeUndefined();
  });

  it('binds only the patients listed for a client; none when the list is absent (#3)', () => {
    const listed = { ...entry, patientBinding: { required: true, allowedPatients: ['p-1'] } };
    expect(ClientRegistry.mayBind(listed, 'p-1')).toBe(true);
    expect(ClientRegistry.mayBind(listed, 'p-2')).toBe(false);
    expect(ClientRegistry.mayBind({ ...entry, patientBinding: { required: true } }, 'p-1')).toBe(
      false,
    );
    expect(ClientRegistry.mayBind(entry, 'p-1')).toBe(false);
  });

  it('bounds the purposes a client’s tokens may assert (#5)', () => {
    const registry = ClientRegistry.parse(
      {
        clients: [
          { ...entry, patientBinding: { required: true, allowedPatients: ['p-1'] } },
          { ...entry, id: 'payer', purposeOfUse: 'HPAYMT' },
          { ...entry, id: 'console', allowedPurposes: ['TREAT', 'HOPERAT'] },
        ],
      },
      'test',
    );
    const allows = (clientId: string, purposeOfUse: Principal['purposeOfUse']) =>
      registry.allowsPurpose({ clientId, purposeOfUse });
    expect(allows('app-1', 'PATRQT')).toBe(true);
    expect(allows('app-1', 'HOPERAT')).toBe(false);
    expect(allows('payer', 'HPAYMT')).toBe(true);
    expect(allows('payer', 'TREAT')).toBe(false);
    expect(allows('console', 'TREAT')).toBe(true);
    expect(allows('console', 'HSYSADMIN')).toBe(false);
    // Unlisted: its roles bound it, and it runs persisted operations only.
    expect(allows('stranger', 'HOPERAT')).toBe(true);

    const bad = (client: Record<string, unknown>) => () =>
      ClientRegistry.parse({ clients: [{ ...entry, ...client }] }, 'f');
    expect(bad({ purposeOfUse: 'TREAT' })).toThrow(/purposeOfUse/);
    expect(bad({ purposeOfUse: 'ETREAT' })).toThrow(/purposeOfUse/);
    expect(
      bad({ purposeOfUse: 'HOPERAT', patientBinding: { required: false, allowedPatients: [] } }),
    ).toThrow(/purposeOfUse/);
    expect(bad({ purposeOfUse: 'HPAYMT', allowedPurposes: ['HOPERAT'] })).toThrow(
      /allowedPurposes/,
    );
  });
});
