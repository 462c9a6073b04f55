import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DevIssuer, devIssuerUrl } from './dev-issuer.js';
import { tempKeysDir } from './test-support.js';
import { TokenCliError, tokenCli } from './token-cli.js';
import { createTokenVerifier, type TokenVerifier } from './verify.js';

let keysDir: string;
let remove: () => Promise<void>;
let verifier: TokenVerifier;
const config = () => ({ keysDir, GATEWAY_PORT: 4555, OIDC_AUDIENCE: 'carefed-api' });

beforeAll(async () => {
  ({ dir: keysDir, remove } = await tempKeysDir());
  await tokenCli(['--role', 'admin'], config());
  const issuer = await DevIssuer.load(keysDir, devIssuerUrl(4555), 'carefed-api');
  verifier = createTokenVerifier({
    issuer: 'http://localhost:4555',
    audience: 'carefed-api',
    algorithms: ['ES256'],
    jwks: issuer.jwks(),
  });
});
afterAll(() => remove());

describe('tokenCli', () => {
  it('prints a token carrying the given scopes, patient and client', async () => {
    const token = await tokenCli(
      [
        '--role',
        'partner',
        '--patient',
        'pat-42',
        '--scope',
        'patient/Patient.rs  patient/Consent.rs',
        '--client',
        'acme',
      ],
      config(),
    );
    expect(await verifier.verify(token)).toEqual({
      sub: 'dev-partner',
      roles: ['partner'],
      scopes: ['patient/Patient.rs', 'patient/Consent.rs'],
      clientId: 'acme',
      patientId: 'pat-42',
      purposeOfUse: 'PATRQT',
    });
    const doc = await tokenCli(
      ['--role', 'clinician', '--practitioner', 'dr-5', '--sub', 'u-5', '--expires', '120'],
      config(),
    );
    expect(await verifier.verify(doc)).toMatchObject({
      sub: 'u-5',
      practitionerId: 'dr-5',
      purposeOfUse: 'TREAT',
    });
  });

  it('explains bad arguments', async () => {
    await expect(tokenCli(['--role', 'wizard'], config())).rejects.toThrow(
      /Unknown role "wizard".*clinician/,
    );
    await expect(tokenCli([], config())).rejects.toThrow(/--role is required/);
    await expect(tokenCli(['--role', 'admin', '--bogus'], config())).rejects.toBeInstanceOf(
      TokenCliError,
    );
    await expect(tokenCli(['--role', 'admin', '--expires', 'soon'], config())).rejects.toThrow(
      /--expires/,
    );
    await expect(tokenCli(['--role', 'admin', '--purpose', 'FUN'], config())).rejects.toThrow(
      /Unknown purpose/,
    );
    // #5: a role's token carries only that role's purposes.
    await expect(
      tokenCli(['--role', 'clinician', '--purpose', 'HOPERAT'], config()),
    ).rejects.toThrow(/clinician token may not assert purpose HOPERAT. Allowed: TREAT/);
    await expect(tokenCli(['--role', 'partner', '--purpose', 'HPAYMT'], config())).rejects.toThrow(
      /with a patient/,
    );
    // #16: no token outlives the verifier's maximum lifetime.
    await expect(tokenCli(['--role', 'admin', '--expires', '100y'], config())).rejects.toThrow(
      /--expires "100y".*exceeds the maximum/,
    );
    expect(await tokenCli(['--help'], config())).toMatch(/^Usage: npm run token/);
  });

  it('runs as scripts/token.ts with the configured data directory', async () => {
    const { dir: dataDir, remove: removeData } = await tempKeysDir();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'scripts/token.ts', '--role', 'auditor'],
      { env: { ...process.env, DATA_DIR: dataDir, GATEWAY_PORT: '4555', NODE_ENV: 'development' } },
    );
    const issuer = await DevIssuer.load(`${dataDir}/keys`, devIssuerUrl(4555), 'carefed-api');
    const v = createTokenVerifier({
      issuer: 'http://localhost:4555',
      audience: 'carefed-api',
      algorithms: ['ES256'],
      jwks: issuer.jwks(),
    });
    expect((await v.verify(stdout.trim())).roles).toEqual(['auditor']);
    await removeData();
  });
});
