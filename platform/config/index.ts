import path from 'node:path';

import { envSchema, type Env } from './schema.js';

/** Validated configuration, with paths resolved and the production flag settled. */
export interface Config extends Env {
  production: boolean;
  dataDir: string;
  keysDir: string;
}

let current: Config | undefined;

/** Thrown when the environment is invalid; names each variable at fault. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment (default `process.env`), validates it and makes it current. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  current = {
    ...e,
    production: e.NODE_ENV === 'production' || e.CAREFED_PRODUCTION,
    dataDir,
    keysDir: path.join(dataDir, 'keys'),
  };
  return current;
}

/** The current configuration; throws if `loadConfig` has not run. */
export function getConfig(): Config {
  if (!current) throw new ConfigError('Configuration not loaded: call loadConfig() at start');
  return current;
}

/** True when running under NODE_ENV=production with no dev conveniences allowed. */
export function isStrictProduction(config: Config): boolean {
  return config.NODE_ENV === 'production';
}

export { envSchema };
export type { Env };
