import type { EntityManager } from '@mikro-orm/postgresql';
import { FieldCipher } from './field-cipher.js';
import { Keyring } from './keyring.js';
import { rotateColumns, type RotationResult, type RotationSpec } from './rotate.js';

/** What one schema's rotation did. */
export interface SchemaRotation {
  schema: string;
  fromVersion: number;
  toVersion: number;
  tables: (RotationResult & { table: string })[];
}

/**
 * Rotates one schema's data key while its service keeps serving: a new key
 * becomes active (services pick it up within the keyring's refresh age, and
 * decrypt either version meanwhile), then every encrypted column is
 * re-encrypted under it. After `settleMs` a final pass catches rows a service
 * wrote under the old key before it saw the new one.
 */
export async function rotateSchemaKey(
  em: EntityManager,
  schema: string,
  kek: Buffer,
  specs: readonly RotationSpec[],
  opts: { settleMs?: number; batchSize?: number } = {},
): Promise<SchemaRotation> {
  const keyring = await Keyring.open(em, schema, kek);
  const fromVersion = keyring.active().version;
  const toVersion = await keyring.createVersion(em);
  const cipher = new FieldCipher(keyring);
  const tables: SchemaRotation['tables'] = [];
  for (const spec of specs)
    tables.push({
      table: spec.table,
      ...(await rotateColumns(em, cipher, spec, { batchSize: opts.batchSize })),
    });
  if (opts.settleMs) {
    await new Promise((r) => setTimeout(r, opts.settleMs));
    for (const spec of specs) {
      const late = await rotateColumns(em, cipher, spec, { batchSize: opts.batchSize });
      const entry = tables.find((t) => t.table === spec.table)!;
      entry.rowsUpdated += late.rowsUpdated;
      entry.passes += late.passes;
    }
  }
  return { schema, fromVersion, toVersion, tables };
}
