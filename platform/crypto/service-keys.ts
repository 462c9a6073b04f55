import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.js';
import { loadSecretKey } from './keys.js';

/** The secrets a service needs, each kept outside the database. */
export interface ServiceKeys {
  /** Key-encryption key: wraps the data keys stored in each schema. */
  readonly kek: Buffer;
  /** Blind-index HMAC key, separate from the data keys. */
  readonly indexKey: Buffer;
  /** Secret the database role passwords are derived from (unused by a subgraph given its own login). */
  readonly dbRoleKey: Buffer;
}

/** `<CAREFED_SECRETS_DIR>/<schema>-<name>` when that file exists. */
export function schemaSecretFile(
  config: Pick<Config, 'CAREFED_SECRETS_DIR'>,
  schema: string | undefined,
  name: 'kek' | 'index-key' | 'db-password',
): string | undefined {
  if (!config.CAREFED_SECRETS_DIR || !schema) return undefined;
  const file = path.join(config.CAREFED_SECRETS_DIR, `${schema}-${name}`);
  return fs.existsSync(file) ? file : undefined;
}

/**
 * Loads the keys from the environment (value or file), or, for `schema`,
 * from its own files under CAREFED_SECRETS_DIR when there are any, so each
 * subgraph runs under keys of its own. Outside strict production a missing
 * key is generated once under DATA_DIR/keys, so `npm start` works on a fresh
 * machine; under NODE_ENV=production a missing key stops the service with
 * the variable's name.
 */
export function loadServiceKeys(config: Config, schema?: string): ServiceKeys {
  const allowDevGenerate = config.NODE_ENV !== 'production';
  const devFile = (name: string) => path.join(config.keysDir, name);
  const own = (name: 'kek' | 'index-key') => schemaSecretFile(config, schema, name);
  const kekFile = own('kek');
  const indexFile = own('index-key');
  // Each key is read on first use: a job that needs only some (provisioning roles needs none
  // of the data keys) does not fail for want of the others.
  const once = (load: () => Buffer) => {
    let key: Buffer | undefined;
    return () => (key ??= load());
  };
  const kek = once(() =>
    loadSecretKey({
      name: 'CAREFED_KEK',
      value: kekFile ? undefined : config.CAREFED_KEK,
      file: kekFile ?? config.CAREFED_KEK_FILE,
      devFile: devFile('kek.key'),
      allowDevGenerate,
    }),
  );
  const indexKey = once(() =>
    loadSecretKey({
      name: 'CAREFED_INDEX_KEY',
      value: indexFile ? undefined : config.CAREFED_INDEX_KEY,
      file: indexFile ?? config.CAREFED_INDEX_KEY_FILE,
      devFile: devFile('blind-index.key'),
      allowDevGenerate,
    }),
  );
  const dbRoleKey = once(() =>
    loadSecretKey({
      name: 'CAREFED_DB_ROLE_KEY',
      value: config.CAREFED_DB_ROLE_KEY,
      file: config.CAREFED_DB_ROLE_KEY_FILE,
      devFile: devFile('db-role.key'),
      allowDevGenerate,
    }),
  );
  return {
    get kek() {
      return kek();
    },
    get indexKey() {
      return indexKey();
    },
    get dbRoleKey() {
      return dbRoleKey();
    },
  };
}
