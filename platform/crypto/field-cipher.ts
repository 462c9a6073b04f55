import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeSealed, type Sealed, seal, unseal } from './aead.js';
import { type Keyring, UnknownKeyVersionError } from './keyring.js';

const PREFIX = 'cf1';
const VERSION = /^[1-9][0-9]{0,8}$/;

/** Where a field value lives; bound into the ciphertext so it cannot be moved. */
export interface FieldContext {
  /** Logical table name, stable across schema renames, e.g. `patient`. */
  table: string;
  column: string;
  /** The row's primary key as text. */
  rowId: string;
}

/**
 * An encrypted field failed to decrypt: altered, malformed, moved from another
 * row or column, or under a key version this database does not hold. The
 * message names the table and column, never the row or the value.
 */
export class FieldIntegrityError extends Error {
  readonly code = 'DATA_INTEGRITY';
  constructor(
    readonly table: string,
    readonly column: string,
    reason: string,
  ) {
    super(`Encrypted field ${table}.${column} failed its integrity check (${reason})`);
    this.name = 'FieldIntegrityError';
  }
}

/**
 * The key version a `cf1.` ciphertext was written under, read without
 * decrypting. Throws FieldIntegrityError (naming `where`, if given) when malformed.
 */
export function keyVersionOf(
  ciphertext: string,
  where: Pick<FieldContext, 'table' | 'column'> = { table: 'unknown', column: 'unknown' },
): number {
  const version = parse(ciphertext)?.version;
  if (version === undefined) {
    throw new FieldIntegrityError(where.table, where.column, 'malformed ciphertext');
  }
  return version;
}

interface Parsed {
  version: number;
  sealed: Sealed;
}

function parse(ciphertext: string): Parsed | undefined {
  const [prefix, version, ...parts] = ciphertext.split('.');
  if (prefix !== PREFIX || version === undefined || !VERSION.test(version)) return undefined;
  const sealed = decodeSealed(parts);
  return sealed && { version: Number(version), sealed };
}

function aad(ctx: FieldContext, version: number): Buffer {
  // An empty part would bind many values to one slot and defeat the point of the AAD.
  if (!ctx.table || !ctx.column || !ctx.rowId) {
    throw new Error('FieldContext needs a table, a column and a rowId');
  }
  // A JSON array is an unambiguous encoding of the four values.
  return Buffer.from(JSON.stringify([PREFIX, ctx.table, ctx.column, ctx.rowId, version]));
}

/**
 * AES-256-GCM encryption of single column values under the keyring's data
 * keys. Output: `cf1.<keyVersion>.<iv>.<ciphertext>.<tag>`, parts base64url.
 */
export class FieldCipher {
  constructor(readonly keyring: Keyring) {}

  /** Encrypts under the active key, reloading the keyring first if it is stale. */
  async encrypt(em: EntityManager, plaintext: string, ctx: FieldContext): Promise<string> {
    await this.keyring.refreshIfStale(em);
    return this.encryptSync(plaintext, ctx);
  }

  /** Encrypts under the active key as last loaded, without touching the database. */
  encryptSync(plaintext: string, ctx: FieldContext): string {
    const { version, key } = this.keyring.active();
    const sealed = seal(key, Buffer.from(plaintext, 'utf8'), aad(ctx, version));
    return [PREFIX, String(version), ...sealed].join('.');
  }

  /** Decrypts, loading a key version created since the last load. Throws FieldIntegrityError. */
  async decrypt(em: EntityManager, ciphertext: string, ctx: FieldContext): Promise<string> {
    const parsed = this.parseOrThrow(ciphertext, ctx);
    let key: Buffer;
    try {
      key = await this.keyring.get(em, parsed.version);
    } catch (err) {
      if (err instanceof UnknownKeyVersionError) {
        throw new FieldIntegrityError(ctx.table, ctx.column, 'unknown key version');
      }
      throw err;
    }
    return this.open(key, parsed, ctx);
  }

  /**
   * Decrypts with a cached key only. Returns undefined when the key version is
   * not loaded yet (call {@link decrypt}); throws FieldIntegrityError otherwise.
   */
  decryptSync(ciphertext: string, ctx: FieldContext): string | undefined {
    const parsed = this.parseOrThrow(ciphertext, ctx);
    const key = this.keyring.peek(parsed.version);
    return key ? this.open(key, parsed, ctx) : undefined;
  }

  private parseOrThrow(ciphertext: string, ctx: FieldContext): Parsed {
    const parsed = parse(ciphertext);
    if (!parsed) throw new FieldIntegrityError(ctx.table, ctx.column, 'malformed ciphertext');
    return parsed;
  }

  private open(key: Buffer, p: Parsed, ctx: FieldContext): string {
    const plain = unseal(key, p.sealed, aad(ctx, p.version));
    if (!plain) throw new FieldIntegrityError(ctx.table, ctx.column, 'authentication failed');
    return plain.toString('utf8');
  }
}
