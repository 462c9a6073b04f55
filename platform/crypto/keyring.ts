import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type KeyRow, unwrapKey, wrapKey } from './key-table.js';
import { KEY_BYTES } from './keys.js';
import { quoteIdent } from './sql.js';

/** Thrown when a ciphertext names a data-key version the table does not hold. */
export class UnknownKeyVersionError extends Error {
  constructor(readonly version: number) {
    super(`Data key version ${version} is not in the key table`);
    this.name = 'UnknownKeyVersionError';
  }
}

export interface KeyringOptions {
  /** After this long, encryptions reload the table first to see a new active version. */
  maxAgeMs?: number;
}

/**
 * Data encryption keys (DEKs) of one Postgres schema, stored wrapped under a
 * key-encryption key (KEK) that never enters the database. Each wrap is bound
 * to its schema and version, so a wrapped key cannot be moved to another slot.
 */
export class Keyring {
  private readonly keys = new Map<number, Buffer>();
  private activeVersion = 0;
  private loadedAt = 0;
  private loading: Promise<void> | undefined;
  private readonly table: string;
  private readonly maxAgeMs: number;

  private constructor(
    readonly schema: string,
    private kek: Buffer,
    opts: KeyringOptions,
  ) {
    if (kek.length !== KEY_BYTES) throw new Error(`The KEK must be ${KEY_BYTES} bytes`);
    this.table = `${quoteIdent(schema)}.data_key`;
    this.maxAgeMs = opts.maxAgeMs ?? 30_000;
  }

  /** Loads every DEK of `schema` (see {@link ensureKeyTableSql}), creating version 1 if none exists. */
  static async open(
    em: EntityManager,
    schema: string,
    kek: Buffer,
    opts: KeyringOptions = {},
  ): Promise<Keyring> {
    const ring = new Keyring(schema, kek, opts);
    await ring.refresh(em);
    if (ring.keys.size === 0) await ring.insertVersion(em, true);
    return ring;
  }

  /** The key new ciphertexts are written under. */
  active(): { version: number; key: Buffer } {
    return { version: this.activeVersion, key: this.cached(this.activeVersion) };
  }

  /** A cached key, or undefined. */
  peek(version: number): Buffer | undefined {
    return this.keys.get(version);
  }

  /** The key of `version`, reloading the table once if it was created after the last load. */
  async get(em: EntityManager, version: number): Promise<Buffer> {
    const known = this.keys.get(version);
    if (known) return known;
    // Versions only grow: an unknown version at or below the newest one will never appear.
    if (version > Math.max(0, ...this.keys.keys())) await this.refresh(em);
    return this.cached(version);
  }

  /** Reloads the table: new versions and the active flag. Concurrent calls share one query. */
  async refresh(em: EntityManager): Promise<void> {
    this.loading ??= this.load(em).finally(() => (this.loading = undefined));
    await this.loading;
  }

  /** Reloads when the last load is older than `maxAgeMs`. */
  async refreshIfStale(em: EntityManager): Promise<void> {
    if (Date.now() - this.loadedAt > this.maxAgeMs) await this.refresh(em);
  }

  /** Creates a new random DEK and makes it the only active one; returns its version. */
  async createVersion(em: EntityManager): Promise<number> {
    return this.insertVersion(em, false);
  }

  /** Re-wraps every DEK under `newKek` in one transaction; other processes need the new KEK to reload. */
  async rewrapAll(em: EntityManager, newKek: Buffer): Promise<void> {
    if (newKek.length !== KEY_BYTES) throw new Error(`The KEK must be ${KEY_BYTES} bytes`);
    await em.transactional(async (tem) => {
      await tem.execute(`LOCK TABLE ${this.table} IN SHARE ROW EXCLUSIVE MODE`);
      const rows = await tem.execute<KeyRow[]>(`SELECT version, wrapped FROM ${this.table}`);
      for (const row of rows) {
        const dek = unwrapKey(this.kek, this.schema, row);
        const wrapped = wrapKey(newKek, this.schema, row.version, dek);
        await tem.execute(`UPDATE ${this.table} SET wrapped = ? WHERE version = ?`, [
          wrapped,
          row.version,
        ]);
      }
    });
    this.kek = newKek;
  }

  private cached(version: number): Buffer {
    const key = this.keys.get(version);
    if (!key) throw new UnknownKeyVersionError(version);
    return key;
  }

  private async load(em: EntityManager): Promise<void> {
    const rows = await em.execute<KeyRow[]>(
      `SELECT version, wrapped, active FROM ${this.table} ORDER BY version`,
    );
    for (const row of rows) {
      if (!this.keys.has(row.version))
        this.keys.set(row.version, unwrapKey(this.kek, this.schema, row));
    }
    const active = rows.find((r) => r.active);
    if (rows.length > 0 && !active) throw new Error(`${this.table} has no active data key`);
    if (active) this.activeVersion = active.version;
    this.loadedAt = Date.now();
  }

  private async insertVersion(em: EntityManager, onlyIfEmpty: boolean): Promise<number> {
    const created = await em.transactional(async (tem) => {
      // Serialises key creation across processes; plain reads are not blocked.
      await tem.execute(`LOCK TABLE ${this.table} IN SHARE ROW EXCLUSIVE MODE`);
      const [top] = await tem.execute<{ n: number; max: number }[]>(
        `SELECT count(*)::int AS n, coalesce(max(version), 0) AS max FROM ${this.table}`,
      );
      if (onlyIfEmpty && top && top.n > 0) return undefined;
      const version = (top?.max ?? 0) + 1;
      const dek = randomBytes(KEY_BYTES);
      await tem.execute(`UPDATE ${this.table} SET active = false WHERE active`);
      await tem.execute(
        `INSERT INTO ${this.table} (version, wrapped, active) VALUES (?, ?, true)`,
        [version, wrapKey(this.kek, this.schema, version, dek)],
      );
      return { version, dek };
    });
    if (created) {
      this.keys.set(created.version, created.dek);
      this.activeVersion = created.version;
      this.loadedAt = Date.now();
      return created.version;
    }
    await this.refresh(em);
    return this.activeVersion;
  }
}
