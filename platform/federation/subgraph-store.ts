import type { EntityClass } from '@mikro-orm/core';
import { FieldCipher, Keyring } from '../crypto/index.js';
import { createOrm, migrate, type MigrationEntry, type MikroORM } from '../db/orm.js';

/** A subgraph's database, migrated, with its keyring open. */
export interface SubgraphStore {
  orm: MikroORM;
  keyring: Keyring;
  cipher: FieldCipher;
}

/**
 * Connects as the subgraph's own role, applies pending migrations (one
 * replica at a time) and opens the schema's keyring: what a subgraph server,
 * its seed and its CLI tools all start from.
 */
export async function openSubgraphStore(opts: {
  url: string;
  schema: string;
  entities: EntityClass<object>[];
  migrations: MigrationEntry[];
  kek: Buffer;
  onStatement?: (line: string) => void;
}): Promise<SubgraphStore> {
  const orm = await createOrm({ ...opts });
  try {
    await migrate(orm, opts.url, opts.schema);
    const keyring = await Keyring.open(orm.em.fork(), opts.schema, opts.kek);
    return { orm, keyring, cipher: new FieldCipher(keyring) };
  } catch (err) {
    await orm.close();
    throw err;
  }
}
