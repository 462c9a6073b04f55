import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';

import { canonicalPayload } from './entry.js';
import { auditSchemaSql } from './schema-sql.js';
import { sampleEntry } from './testing.js';
import { createTestDatabase, type TestDatabase } from '../../tests/support/db.js';

describe('upgrade from the single hash chain', () => {
  let db: TestDatabase;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase('audit_legacy');
    admin = new pg.Client(db.url);
    await admin.connect();
    // The format-1 log as provisioned before: a chained table, its tip row and trigger function.
    await admin.query(`CREATE SCHEMA audit;
      CREATE TABLE audit.entry (seq bigint PRIMARY KEY, prev_hash text NOT NULL, hash text NOT NULL,
        payload text NOT NULL,
        patient_id text GENERATED ALWAYS AS (payload::jsonb ->> 'patientId') STORED);
      CREATE INDEX entry_patient_seq ON audit.entry (patient_id, seq DESC);
      CREATE TABLE audit.chain_head (id boolean PRIMARY KEY DEFAULT true, seq bigint, hash text);
      CREATE FUNCTION audit.chain_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;`);
    for (const seq of [1, 2, 3])
      await admin.query(`INSERT INTO audit.entry VALUES ($1, 'p', 'h', $2)`, [
        seq,
        canonicalPayload(sampleEntry(seq)),
      ]);
  });
  afterAll(async () => {
    await admin.end();
    await db.drop();
  });

  it('carries every entry over in seq order, queues it for sealing and drops the chain', async () => {
    for (const sql of auditSchemaSql()) await admin.query(sql);
    // Provisioning again is a no-op.
    for (const sql of auditSchemaSql()) await admin.query(sql);
    const { rows } = await admin.query<{ seq: string; payload: string; queued: boolean }>(
      `SELECT e.seq, e.payload, p.seq IS NOT NULL AS queued
        FROM audit.entry e LEFT JOIN audit.intake p ON p.seq = e.seq ORDER BY e.seq`,
    );
    expect(rows.map((r) => [Number(r.seq), r.payload, r.queued])).toEqual(
      [1, 2, 3].map((n) => [n, canonicalPayload(sampleEntry(n)), true]),
    );
    const { rows: gone } = await admin.query<{ t: string | null; f: string | null }>(
      "SELECT to_regclass('audit.chain_head') AS t, to_regprocedure('audit.chain_entry()') AS f",
    );
    expect(gone).toEqual([{ t: null, f: null }]);
    const { rows: next } = await admin.query<{ seq: string }>(
      "INSERT INTO audit.intake (payload) VALUES ('{}') RETURNING seq",
    );
    expect(Number(next[0]!.seq)).toBe(4);
  });
});
