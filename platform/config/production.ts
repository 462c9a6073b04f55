import type { Config } from './index.js';

/** A setting production needs, with the variables that can provide it. */
export type ProductionSetting =
  | 'kek'
  | 'indexKey'
  | 'dbRoleKey'
  | 'oidcIssuer'
  | 'gatewaySigningKey'
  | 'gatewayPublicKey'
  | 'auditSigningKey';

const SOURCES: Record<ProductionSetting, (keyof Config)[]> = {
  kek: ['CAREFED_KEK', 'CAREFED_KEK_FILE'],
  indexKey: ['CAREFED_INDEX_KEY', 'CAREFED_INDEX_KEY_FILE'],
  dbRoleKey: ['CAREFED_DB_ROLE_KEY', 'CAREFED_DB_ROLE_KEY_FILE'],
  oidcIssuer: ['OIDC_ISSUER'],
  gatewaySigningKey: ['GATEWAY_SIGNING_KEY_FILE'],
  gatewayPublicKey: ['GATEWAY_PUBLIC_KEY_FILE'],
  auditSigningKey: ['AUDIT_SIGNING_KEY_FILE'],
};

/**
 * Under NODE_ENV=production nothing is generated or defaulted: every secret
 * and the identity provider must be configured. Throws one error naming
 * every missing variable, so an operator fixes them all in one go.
 */
export function requireProductionSettings(config: Config, needed: ProductionSetting[]): void {
  if (config.NODE_ENV !== 'production') return;
  const missing = needed
    .filter((n) => SOURCES[n].every((k) => !config[k]))
    .map((n) => SOURCES[n].join(' or '));
  if (missing.length)
    throw new Error(
      `NODE_ENV=production but these are not set:\n${missing.map((m) => `  - ${m}`).join('\n')}`,
    );
}
