import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, getConfig, loadConfig } from './index.js';
import { requireProductionSettings } from './production.js';

describe('config', () => {
  it('applies defaults and resolves paths', () => {
    const c = loadConfig({});
    expect(c.GATEWAY_PORT).toBe(4000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.dataDir).toBe(path.resolve('.data'));
    expect(c.keysDir).toBe(path.resolve('.data', 'keys'));
    expect(c.production).toBe(false);
    expect(getConfig()).toBe(c);
  });

  it('fails with a message naming each bad variable', () => {
    expect(() =>
      loadConfig({ GATEWAY_PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' }),
    ).toThrow(ConfigError);
    try {
      loadConfig({ GATEWAY_PORT: 'eighty', DATABASE_URL: 'not a url' });
    } catch (err) {
      expect((err as Error).message).toMatch(/GATEWAY_PORT/);
      expect((err as Error).message).toMatch(/DATABASE_URL/);
    }
  });

  it('turns production on by NODE_ENV or CAREFED_PRODUCTION', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).production).toBe(true);
    expect(loadConfig({ CAREFED_PRODUCTION: '1' }).production).toBe(true);
    expect(loadConfig({ CAREFED_PRODUCTION: '0' }).production).toBe(false);
  });

  it('collects prefixed variables: subgraph URLs and role passwords', () => {
    const c = loadConfig({
      SUBGRAPH_URL_CARE_ROUTING: 'http://cr:4002/graphql',
      DB_ROLE_PASSWORD_PATIENT: 's3cret',
    });
    expect(c.subgraphUrls).toEqual({ 'care-routing': 'http://cr:4002/graphql' });
    expect(c.dbRolePasswords).toEqual({ patient: 's3cret' });
  });

  it('names every missing production secret at once, and accepts file variants', () => {
    const prod = loadConfig({
      NODE_ENV: 'production',
      CAREFED_INDEX_KEY_FILE: '/run/secrets/index',
    });
    expect(() => requireProductionSettings(prod, ['kek', 'indexKey', 'oidcIssuer'])).toThrow(
      /CAREFED_KEK or CAREFED_KEK_FILE[\s\S]*OIDC_ISSUER/,
    );
    expect(() => requireProductionSettings(prod, ['indexKey'])).not.toThrow();
    expect(() => requireProductionSettings(loadConfig({}), ['kek'])).not.toThrow();
  });
});
