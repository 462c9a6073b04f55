import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher, FieldIntegrityError, keyVersionOf } from './field-cipher.js';
import { Keyring } from './keyring.js';
import { createCryptoTestDb, type CryptoTestDb } from './test-db.js';

const S = 'fc';
const ctx = { table: 'patient', column: 'family_name', rowId: 'row-1' };
const SECRET = 'Ødegård-Nakamura 山田';
let t: CryptoTestDb;
let cipher: FieldCipher;
const em = () => t.orm.em.fork();

async function failure(p: Promise<unknown>): Promise<FieldIntegrityError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FieldIntegrityError);
  return err as FieldIntegrityError;
}

function flipByte(ciphertext: string, part: number): string {
  const parts = ciphertext.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('FieldCipher', () => {
  beforeAll(async () => {
    t = await createCryptoTestDb('field_cipher', S);
    cipher = new FieldCipher(await Keyring.open(em(), S, t.kek));
  });
  afterAll(() => t.close());

  it('round-trips text, including empty and non-ASCII, with a fresh IV each time', async () => {
    for (const plain of [SECRET, '', 'x'.repeat(10_000)]) {
      const c = await cipher.encrypt(em(), plain, ctx);
      expect(c).toMatch(/^cf1\.1\.[\w-]{16}\.[\w-]*\.[\w-]{22}$/);
      expect(await cipher.decrypt(em(), c, ctx)).toBe(plain);
    }
    const a = await cipher.encrypt(em(), SECRET, ctx);
    expect(await cipher.encrypt(em(), SECRET, ctx)).not.toBe(a);
    expect(keyVersionOf(a)).toBe(1);
    expect(cipher.decryptSync(a, ctx)).toBe(SECRET);
    expect(a).not.toContain(Buffer.from(SECRET).toString('base64url').slice(0, 8));
  });

  it('refuses a ciphertext copied to another row, column or table', async () => {
    const c = await cipher.encrypt(em(), SECRET, ctx);
    for (const moved of [
      { ...ctx, rowId: 'row-2' },
      { ...ctx, column: 'given_name' },
      { ...ctx, table: 'practitioner' },
    ]) {
      const err = await failure(cipher.decrypt(em(), c, moved));
      expect(err.code).toBe('DATA_INTEGRITY');
      expect(err.message).toContain(`${moved.table}.${moved.column}`);
      expect(err.message).not.toContain(SECRET);
      expect(err.message).not.toContain(moved.rowId);
      expect(() => cipher.decryptSync(c, moved)).toThrow(FieldIntegrityError);
    }
  });

  it('refuses a flipped byte in the IV, body or tag, and a changed key version', async () => {
    const c = await cipher.encrypt(em(), SECRET, ctx);
    for (const part of [2, 3, 4]) await failure(cipher.decrypt(em(), flipByte(c, part), ctx));
    const v2 = await cipher.keyring.createVersion(em());
    const relabelled = c.replace(/^cf1\.1\./, `cf1.${v2}.`);
    expect((await failure(cipher.decrypt(em(), relabelled, ctx))).message).toMatch(/authentic/);
    // The old ciphertext still decrypts after a new version becomes active.
    expect(await cipher.decrypt(em(), c, ctx)).toBe(SECRET);
    expect(keyVersionOf(await cipher.encrypt(em(), SECRET, ctx))).toBe(v2);
  });

  it('refuses malformed input and unknown versions with the same error type', async () => {
    const c = await cipher.encrypt(em(), SECRET, ctx);
    const bad = [
      '',
      SECRET,
      c.replace(/^cf1/, 'cf2'),
      c.replace(/^cf1\.\d+/, 'cf1.0'),
      c.replace(/^cf1\.\d+/, 'cf1.x'),
      c.split('.').slice(0, 4).join('.'),
      `${c}.extra`,
      `${c.slice(0, -1)}=`,
      c.replace(/^(cf1\.\d+\.)[\w-]/, '$1+'),
    ];
    for (const input of bad) {
      const err = await failure(cipher.decrypt(em(), input, ctx));
      expect(err.message).toMatch(/malformed/);
      expect(err.message).not.toContain(SECRET);
    }
    const future = c.replace(/^cf1\.\d+/, 'cf1.999');
    expect((await failure(cipher.decrypt(em(), future, ctx))).message).toMatch(/unknown key/);
    expect(() => keyVersionOf('nonsense', ctx)).toThrow(/patient\.family_name.*malformed/);
    expect(() => cipher.encryptSync(SECRET, { ...ctx, rowId: '' })).toThrow(/needs .* rowId/);
  });
});
