import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './db.js';

describe('test database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('support');
  });
  afterAll(() => db.drop());

  it('is a real PostgreSQL with the extensions the schema needs', async () => {
    const c = new pg.Client(db.url);
    await c.connect();
    await c.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
    const { rows } = await c.query<{ n: string }>(
      "select count(*) as n from pg_extension where extname = 'btree_gist'",
    );
    await c.end();
    expect(rows[0]?.n).toBe('1');
  });
});
