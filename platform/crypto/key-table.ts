import { decodeSealed, seal, unseal } from './aead.js';
import { KEY_BYTES } from './keys.js';
import { quoteIdent } from './sql.js';

const WRAP_PREFIX = 'kw1';

/** One row of `<schema>.data_key`. */
export interface KeyRow {
  version: number;
  wrapped: string;
  active: boolean;
}

/**
 * DDL for the wrapped data-key table in `schema`: run it from that schema's
 * migration. At most one row is active, enforced by a partial unique index.
 */
export function ensureKeyTableSql(schema: string): string {
  const s = quoteIdent(schema);
  return `CREATE TABLE IF NOT EXISTS ${s}.data_key (
  version int PRIMARY KEY CHECK (version > 0),
  wrapped text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  active boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX IF NOT EXISTS data_key_one_active ON ${s}.data_key ((true)) WHERE active;`;
}

// Binding schema and version means a wrapped key copied to another slot no longer unwraps.
function aad(schema: string, version: number): Buffer {
  return Buffer.from(JSON.stringify([WRAP_PREFIX, schema, version]));
}

/** Wraps a DEK under the KEK with AES-256-GCM: `kw1.<iv>.<ciphertext>.<tag>`. */
export function wrapKey(kek: Buffer, schema: string, version: number, dek: Buffer): string {
  return [WRAP_PREFIX, ...seal(kek, dek, aad(schema, version))].join('.');
}

/** Unwraps a DEK; throws when the KEK is wrong or the row was altered or moved. */
export function unwrapKey(kek: Buffer, schema: string, row: Omit<KeyRow, 'active'>): Buffer {
  const [prefix, ...parts] = row.wrapped.split('.');
  const sealed = prefix === WRAP_PREFIX ? decodeSealed(parts) : undefined;
  const dek = sealed && unseal(kek, sealed, aad(schema, row.version));
  if (dek?.length !== KEY_BYTES) {
    throw new Error(
      `Cannot unwrap data key ${row.version} of ${schema}.data_key: wrong KEK or altered row`,
    );
  }
  return dek;
}
