import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import {
  MikroORM,
  PostgreSqlDriver,
  ReflectMetadataProvider,
  type EntityManager,
} from '@mikro-orm/postgresql';
import type { EntityClass, MigrationObject } from '@mikro-orm/core';

/** A migration class and the name it is recorded under. */
export type MigrationEntry = MigrationObject;

export interface OrmOptions {
  /** The subgraph's own login URL (its role can touch only its schema). */
  url: string;
  schema: string;
  entities: EntityClass<object>[];
  migrations: MigrationEntry[];
  /**
   * Called once per SQL statement sent, with MikroORM's log line for it
   * (`[query] <sql> [took …]`): metrics count them, tests list them.
   */
  onStatement?: (line: string) => void;
  poolMax?: number;
  /**
   * Longest wait for a pooled connection (default 60 s, knex's). A request
   * that waits longer fails as a retryable SERVICE_UNAVAILABLE
   * (platform/errors/transient.ts), never as an internal error.
   */
  acquireTimeoutMs?: number;
}

/**
 * MikroORM for one subgraph's schema. Migrations, never schema sync: the
 * migrations list is explicit so the same code runs under SWC, tsc and vitest.
 */
export async function createOrm(opts: OrmOptions): Promise<MikroORM> {
  return MikroORM.init({
    driver: PostgreSqlDriver,
    clientUrl: opts.url,
    schema: opts.schema,
    entities: opts.entities,
    metadataProvider: ReflectMetadataProvider,
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: {
      migrationsList: opts.migrations,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    forceUtcTimezone: true,
    pool: {
      min: 0,
      max: opts.poolMax ?? 10,
      acquireTimeoutMillis: opts.acquireTimeoutMs ?? 60_000,
    },
    debug: opts.onStatement ? ['query'] : false,
    colors: false,
    logger: opts.onStatement
      ? (msg: string) => (msg.startsWith('[query]') ? opts.onStatement?.(msg) : undefined)
      : () => undefined,
    ensureDatabase: false,
  });
}

/**
 * Applies pending migrations; returns the names applied. Replicas starting
 * together take turns: a session advisory lock per schema, held on a
 * connection of its own while the migrator runs.
 */
export async function migrate(orm: MikroORM, url: string, schema: string): Promise<string[]> {
  const lock = new pg.Client(url);
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`carefed:migrate:${schema}`]);
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await lock.end();
  }
}

export type { EntityManager, MikroORM };
