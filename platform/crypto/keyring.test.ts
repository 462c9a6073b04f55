import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from './keyring.js';
import { createCryptoTestDb, type CryptoTestDb } from './test-db.js';

const S = 'kr';
let t: CryptoTestDb;
const em = () => t.orm.em.fork();

describe('Keyring', () => {
  beforeAll(async () => {
    t = await createCryptoTestDb('keyring', S);
  });
  afterAll(() => t.close());

  it('creates version 1 once, even when several processes open an empty table at once', async () => {
    const other = await t.connect();
    const rings = await Promise.all([
      Keyring.open(em(), S, t.kek),
      Keyring.open(other.em.fork(), S, t.kek),
      Keyring.open(em(), S, t.kek),
    ]);
    const rows = await em().execute<{ version: number; active: boolean }[]>(
      `SELECT version, active FROM ${S}.data_key`,
    );
    expect(rows).toEqual([{ version: 1, active: true }]);
    const keys = rings.map((r) => r.active());
    expect(keys.map((k) => k.version)).toEqual([1, 1, 1]);
    expect(keys[1]!.key.equals(keys[0]!.key)).toBe(true);
    expect(keys[0]!.key).toHaveLength(32);
  });

  it('stores only wrapped keys, bound to their version', async () => {
    const ring = await Keyring.open(em(), S, t.kek);
    const [row] = await em().execute<{ wrapped: string }[]>(
      `SELECT wrapped FROM ${S}.data_key WHERE version = 1`,
    );
    expect(row!.wrapped).toMatch(/^kw1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row!.wrapped).not.toContain(ring.active().key.toString('base64url'));
    await expect(Keyring.open(em(), S, randomBytes(32))).rejects.toThrow(/wrong KEK/);
  });

  it('sees a version created by another process, on demand and when stale', async () => {
    const server = await Keyring.open(em(), S, t.kek, { maxAgeMs: 60_000 });
    const other = await t.connect();
    const rotator = await Keyring.open(other.em.fork(), S, t.kek);
    const v = await rotator.createVersion(other.em.fork());
    expect(v).toBe(2);
    expect(rotator.active().version).toBe(2);

    // Not stale yet: the server still writes under version 1 ...
    await server.refreshIfStale(em());
    expect(server.active().version).toBe(1);
    // ... but decrypting under version 2 loads it.
    expect((await server.get(em(), 2)).equals(rotator.active().key)).toBe(true);
    await server.refresh(em());
    expect(server.active().version).toBe(2);

    const stale = await Keyring.open(em(), S, t.kek, { maxAgeMs: 0 });
    await rotator.createVersion(other.em.fork());
    await new Promise((r) => setTimeout(r, 5));
    await stale.refreshIfStale(em());
    expect(stale.active().version).toBe(3);
  });

  it('keeps exactly one active key at the database level', async () => {
    await expect(em().execute(`UPDATE ${S}.data_key SET active = true`)).rejects.toThrow(
      /data_key_one_active/,
    );
  });

  it('rejects an unknown version without inventing one', async () => {
    const ring = await Keyring.open(em(), S, t.kek);
    await expect(ring.get(em(), 99)).rejects.toThrow(/version 99 is not in the key table/);
  });

  it('refuses a wrapped key moved to another version', async () => {
    const e = em();
    await e.execute(`CREATE TABLE ${S}.saved AS SELECT * FROM ${S}.data_key`);
    await e.execute(
      `UPDATE ${S}.data_key SET wrapped = (SELECT wrapped FROM ${S}.data_key WHERE version = 1) WHERE version = 2`,
    );
    await expect(Keyring.open(em(), S, t.kek)).rejects.toThrow(/data key 2 .*altered/);
    await e.execute(
      `UPDATE ${S}.data_key d SET wrapped = s.wrapped FROM ${S}.saved s WHERE s.version = d.version`,
    );
  });

  it('rewraps every key under a new KEK without changing the keys', async () => {
    const ring = await Keyring.open(em(), S, t.kek);
    const before = await Promise.all([1, 2, 3].map((v) => ring.get(em(), v)));
    const newKek = randomBytes(32);
    await ring.rewrapAll(em(), newKek);
    await expect(Keyring.open(em(), S, t.kek)).rejects.toThrow(/wrong KEK/);
    const reopened = await Keyring.open(em(), S, newKek);
    const after = await Promise.all([1, 2, 3].map((v) => reopened.get(em(), v)));
    expect(after.every((k, i) => k.equals(before[i]!))).toBe(true);
    expect(reopened.active().version).toBe(3);
    // The rewrapping instance keeps working with the new KEK.
    expect(await ring.createVersion(em())).toBe(4);
    t.kek = newKek;
  });
});
