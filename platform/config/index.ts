import path from 'node:path';

import { blockedPortProblem } from './bad-ports.js';
import { envSchema, type Env } from './schema.js';

/** Validated configuration, with paths resolved and the production flag settled. */
export interface Config extends Env {
  production: boolean;
  dataDir: string;
  keysDir: string;
  /** `SUBGRAPH_URL_<NAME>`: where the gateway finds each subgraph when they run apart (containers). */
  subgraphUrls: Record<string, string>;
  /** `DB_ROLE_PASSWORD_<SCHEMA>`: an explicit password for a subgraph's role instead of the derived one. */
  dbRolePasswords: Record<string, string>;
}

/** Variables named `<prefix><NAME>`, keyed by the lower-cased NAME (mapped by `key`). */
function prefixed(
  env: Record<string, string | undefined>,
  prefix: string,
  key: (name: string) => string,
) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (k.startsWith(prefix) && v) out[key(k.slice(prefix.length).toLowerCase())] = v;
  return out;
}

/** Why the gateway could not fetch `url`, or undefined. */
function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  return blockedPortProblem(Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)));
}

let current: Config | undefined;

/** Thrown when the environment is invalid; names each variable at fault. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment (default `process.env`), validates it and makes it current. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value (e.g. `X=` or compose's `${X:-}`) means unset.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.CAREFED_FAULT && e.NODE_ENV !== 'test')
    throw new ConfigError('Invalid environment:\n  CAREFED_FAULT: only allowed with NODE_ENV=test');
  const subgraphUrls = prefixed(given, 'SUBGRAPH_URL_', (n) => n.replace(/_/g, '-'));
  const blocked = Object.entries(subgraphUrls).flatMap(([name, url]) => {
    const problem = urlProblem(url);
    return problem ? [`  SUBGRAPH_URL_${name.toUpperCase().replace(/-/g, '_')}: ${problem}`] : [];
  });
  if (blocked.length) throw new ConfigError(`Invalid environment:\n${blocked.join('\n')}`);
  const dataDir = path.resolve(e.DATA_DIR);
  current = {
    ...e,
    production: e.NODE_ENV === 'production' || e.CAREFED_PRODUCTION,
    dataDir,
    keysDir: path.join(dataDir, 'keys'),
    subgraphUrls,
    dbRolePasswords: prefixed(given, 'DB_ROLE_PASSWORD_', (n) => n),
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
