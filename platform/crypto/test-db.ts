import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase } from '../../tests/support/db.js';
import { ensureKeyTableSql } from './key-table.js';

/** Test-only: a fresh database with a `schema` holding the data-key table. */
export interface CryptoTestDb {
  orm: MikroORM;
  /** Another ORM on the same database, standing in for a second process. */
  connect(): Promise<MikroORM>;
  kek: Buffer;
  /** Superuser URL, for a plain `pg` client. */
  url: string;
  close(): Promise<void>;
}

export async function createCryptoTestDb(label: string, schema: string): Promise<CryptoTestDb> {
  const db = await createTestDatabase(label);
  const opened: MikroORM[] = [];
  const connect = async () => {
    const orm = await MikroORM.init({
      clientUrl: db.url,
      entities: [],
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: true,
    });
    opened.push(orm);
    return orm;
  };
  const orm = await connect();
  await orm.em.execute(`CREATE SCHEMA ${schema}`);
  await orm.em.execute(ensureKeyTableSql(schema));
  return {
    orm,
    connect,
    kek: randomBytes(32),
    url: db.url,
    close: async () => {
      await Promise.all(opened.map((o) => o.close()));
      await db.drop();
    },
  };
}
