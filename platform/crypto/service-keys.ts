import path from 'node:path';
import type { Config } from '../config/index.js';
import { loadSecretKey } from './keys.js';

/** The secrets a service needs, each kept outside the database. */
export interface ServiceKeys {
  /** Key-encryption key: wraps the data keys stored in each schema. */
  kek: Buffer;
  /** Blind-index HMAC key, separate from the data keys. */
  indexKey: Buffer;
  /** Secret the database role passwords are derived from. */
  dbRoleKey: Buffer;
}

/**
 * Loads the keys from the environment (value or file). Outside strict
 * production a missing key is generated once under DATA_DIR/keys, so
 * `npm start` works on a fresh machine; under NODE_ENV=production a missing
 * key stops the service with the variable's name.
 */
export function loadServiceKeys(config: Config): ServiceKeys {
  const allowDevGenerate = config.NODE_ENV !== 'production';
  const devFile = (name: string) => path.join(config.keysDir, name);
  return {
    kek: loadSecretKey({
      name: 'CAREFED_KEK',
      value: config.CAREFED_KEK,
      file: config.CAREFED_KEK_FILE,
      devFile: devFile('kek.key'),
      allowDevGenerate,
    }),
    indexKey: loadSecretKey({
      name: 'CAREFED_INDEX_KEY',
      value: config.CAREFED_INDEX_KEY,
      file: config.CAREFED_INDEX_KEY_FILE,
      devFile: devFile('blind-index.key'),
      allowDevGenerate,
    }),
    dbRoleKey: loadSecretKey({
      name: 'CAREFED_DB_ROLE_KEY',
      value: config.CAREFED_DB_ROLE_KEY,
      file: config.CAREFED_DB_ROLE_KEY_FILE,
      devFile: devFile('db-role.key'),
      allowDevGenerate,
    }),
  };
}
