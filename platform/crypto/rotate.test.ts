import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher, keyVersionOf } from './field-cipher.js';
import { Keyring } from './keyring.js';
import { rotateColumns, type RotationSpec } from './rotate.js';
import { createCryptoTestDb, type CryptoTestDb } from './test-db.js';

const S = 'rot';
let t: CryptoTestDb;
const em = () => t.orm.em.fork();

interface Person {
  id: string;
  name: string;
  note: string | null;
}
const spec: RotationSpec = {
  table: `${S}.person`,
  aadTable: 'person',
  keyColumns: ['id'],
  rowId: (row) => String(row.id),
  columns: ['name', 'note'],
};
const ctx = (id: string, column: string) => ({ table: 'person', column, rowId: id });

async function readAll(e: EntityManager, cipher: FieldCipher): Promise<Person[]> {
  const rows = await e.execute<Person[]>(`SELECT id, name, note FROM ${S}.person ORDER BY id`);
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      name: await cipher.decrypt(e, r.name, ctx(r.id, 'name')),
      note: r.note === null ? null : await cipher.decrypt(e, r.note, ctx(r.id, 'note')),
    })),
  );
}

async function versions(): Promise<number[]> {
  const rows = await em().execute<Person[]>(`SELECT name, note FROM ${S}.person`);
  const all = rows.flatMap((r) => [r.name, r.note]).filter((c): c is string => c !== null);
  return [...new Set(all.map((c) => keyVersionOf(c)))].sort();
}

describe('rotateColumns', () => {
  let cipher: FieldCipher;
  const expected: Person[] = [];

  beforeAll(async () => {
    t = await createCryptoTestDb('rotate', S);
    await em().execute(
      `CREATE TABLE ${S}.person (id uuid PRIMARY KEY, name text NOT NULL, note text)`,
    );
    cipher = new FieldCipher(await Keyring.open(em(), S, t.kek));
    for (let i = 0; i < 600; i++) {
      const p = { id: randomUUID(), name: `Person ${i} Ünïcödé`, note: i % 3 ? `note ${i}` : null };
      expected.push(p);
      const note = p.note === null ? null : cipher.encryptSync(p.note, ctx(p.id, 'note'));
      await em().execute(`INSERT INTO ${S}.person VALUES (?, ?, ?)`, [
        p.id,
        cipher.encryptSync(p.name, ctx(p.id, 'name')),
        note,
      ]);
    }
    expected.sort((a, b) => a.id.localeCompare(b.id));
  });
  afterAll(() => t.close());

  it('re-encrypts every row under a new version while another process keeps reading', async () => {
    // The API server: its own connection pool and its own keyring, loaded before the rotation.
    const api = await t.connect();
    const apiCipher = new FieldCipher(await Keyring.open(api.em.fork(), S, t.kek));
    let reads = 0;
    const failures: unknown[] = [];
    let rotating = true;
    const reader = (async () => {
      while (rotating) {
        try {
          expect(await readAll(api.em.fork(), apiCipher)).toEqual(expected);
          reads++;
        } catch (err) {
          failures.push(err);
          if (failures.length > 5) break;
        }
      }
    })();

    const v2 = await cipher.keyring.createVersion(em());
    const result = await rotateColumns(em(), cipher, spec, { batchSize: 50 }).finally(() => {
      rotating = false;
    });
    await reader;

    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(result.rowsUpdated).toBe(600);
    expect(result.passes).toBe(2);
    expect(await versions()).toEqual([v2]);
    expect(await readAll(em(), cipher)).toEqual(expected);
    expect(await readAll(api.em.fork(), apiCipher)).toEqual(expected);
    // Already rotated: one pass that finds nothing.
    expect(await rotateColumns(em(), cipher, spec)).toEqual({ rowsUpdated: 0, passes: 1 });
  });

  it('never overwrites a concurrent write: the row is retried on a later pass', async () => {
    const target = expected[300]!;
    const stale = cipher.encryptSync('written by the API', ctx(target.id, 'name'));
    const v3 = await cipher.keyring.createVersion(em());
    // The API updates one row under the old key and holds its row lock while rotation runs.
    const client = new pg.Client(t.url);
    await client.connect();
    await client.query('BEGIN');
    await client.query(`UPDATE ${S}.person SET name = $1 WHERE id = $2`, [stale, target.id]);
    const rotation = rotateColumns(em(), cipher, spec, { batchSize: 50, pauseMs: 10 });
    await waitForLockWait();
    await client.query('COMMIT');
    await client.end();
    const result = await rotation;

    target.name = 'written by the API';
    expect(result.passes).toBe(3);
    expect(result.rowsUpdated).toBe(600);
    expect(await versions()).toEqual([v3]);
    expect(await readAll(em(), cipher)).toEqual(expected);
  });
});

async function waitForLockWait(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = await em().execute<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (row!.n > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('rotation never waited for the row lock');
}
