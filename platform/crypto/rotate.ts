import type { EntityManager } from '@mikro-orm/postgresql';
import { type FieldCipher, keyVersionOf } from './field-cipher.js';
import { quoteIdent } from './sql.js';

/** Which encrypted columns of which table to re-encrypt. */
export interface RotationSpec {
  /** Qualified table, e.g. `patient.patient`. */
  table: string;
  /** The `table` bound into each ciphertext (FieldContext.table). */
  aadTable: string;
  /** Primary-key columns; rows are walked in their order. */
  keyColumns: string[];
  /** The FieldContext.rowId of a row, from its key columns. */
  rowId: (row: Record<string, unknown>) => string;
  /** Encrypted columns; each name is also the FieldContext.column. Nulls stay null. */
  columns: string[];
}

export interface RotationOptions {
  /** Rows read and updated per transaction (default 200). */
  batchSize?: number;
  /** Give up after this many passes (default 100); a pass finding nothing ends the run. */
  maxPasses?: number;
  /** Pause after a pass that lost races with concurrent writers (default 500 ms). */
  pauseMs?: number;
  /** Longest wait for a row lock held by the API before a batch is retried later (default 2000 ms). */
  lockTimeoutMs?: number;
}

export interface RotationResult {
  rowsUpdated: number;
  /** Passes over the table, including the last one that found nothing left. */
  passes: number;
}

type Row = Record<string, unknown>;
interface Change {
  keys: unknown[];
  set: [column: string, from: string, to: string][];
}
// A deadlock or lock timeout only means the API is busy with these rows: retry them next pass.
const RETRYABLE = new Set(['40P01', '55P03']);

/**
 * Re-encrypts every value of `spec.columns` not under the keyring's active
 * version, while the API keeps serving. Each update is compare-and-set on the
 * old ciphertext, so a concurrent write is never overwritten; rows that lost
 * such a race are picked up by the next pass. Throws FieldIntegrityError on a
 * value that does not decrypt, rather than skipping it. Pass an `em` outside
 * any transaction: each batch commits on its own.
 */
export async function rotateColumns(
  em: EntityManager,
  cipher: FieldCipher,
  spec: RotationSpec,
  opts: RotationOptions = {},
): Promise<RotationResult> {
  const { batchSize = 200, maxPasses = 100, pauseMs = 500, lockTimeoutMs = 2000 } = opts;
  if (spec.keyColumns.length === 0 || spec.columns.length === 0) {
    throw new Error('rotateColumns needs at least one key column and one encrypted column');
  }
  let rowsUpdated = 0;
  for (let passes = 1; passes <= maxPasses; passes++) {
    await cipher.keyring.refresh(em);
    const target = cipher.keyring.active().version;
    let cursor: unknown[] | undefined;
    let found = 0;
    let skipped = 0;
    for (;;) {
      const rows = await readBatch(em, spec, target, cursor, batchSize);
      if (rows.length === 0) break;
      found += rows.length;
      cursor = spec.keyColumns.map((k) => rows[rows.length - 1]?.[k]);
      const changes = await Promise.all(rows.map((r) => reencrypt(em, cipher, spec, target, r)));
      const done = await writeBatch(em, spec, changes, lockTimeoutMs);
      rowsUpdated += done;
      skipped += changes.length - done;
    }
    if (found === 0) return { rowsUpdated, passes };
    if (skipped > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
  throw new Error(`Key rotation of ${spec.table} did not finish in ${maxPasses} passes`);
}

async function readBatch(
  em: EntityManager,
  spec: RotationSpec,
  target: number,
  cursor: unknown[] | undefined,
  limit: number,
): Promise<Row[]> {
  const keys = spec.keyColumns.map(quoteIdent).join(', ');
  const cols = spec.columns.map(quoteIdent);
  const stale = cols.map((c) => `(${c} IS NOT NULL AND ${c} NOT LIKE ?)`).join(' OR ');
  const params: unknown[] = cols.map(() => `cf1.${target}.%`);
  let after = '';
  if (cursor) {
    after = ` AND (${keys}) > (${cursor.map(() => '?').join(', ')})`;
    params.push(...cursor);
  }
  params.push(limit);
  return em.execute<Row[]>(
    `SELECT ${keys}, ${cols.join(', ')} FROM ${quoteIdent(spec.table)}
     WHERE (${stale})${after} ORDER BY ${keys} LIMIT ?`,
    params,
  );
}

async function reencrypt(
  em: EntityManager,
  cipher: FieldCipher,
  spec: RotationSpec,
  target: number,
  row: Row,
): Promise<Change> {
  const rowId = spec.rowId(row);
  const set: Change['set'] = [];
  for (const column of spec.columns) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    const where = { table: spec.aadTable, column };
    // A newer version than the target means another rotation began: the next pass reloads.
    if (typeof value !== 'string' || keyVersionOf(value, where) >= target) continue;
    const ctx = { ...where, rowId };
    set.push([column, value, cipher.encryptSync(await cipher.decrypt(em, value, ctx), ctx)]);
  }
  return { keys: spec.keyColumns.map((k) => row[k]), set };
}

async function writeBatch(
  em: EntityManager,
  spec: RotationSpec,
  changes: Change[],
  lockTimeoutMs: number,
): Promise<number> {
  const keyMatch = spec.keyColumns.map((k) => `${quoteIdent(k)} = ?`);
  try {
    return await em.transactional(async (tem) => {
      await tem.execute(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
      let updated = 0;
      for (const { keys, set } of changes) {
        if (set.length === 0) continue;
        const assign = set.map(([c]) => `${quoteIdent(c)} = ?`).join(', ');
        const unchanged = set.map(([c]) => `${quoteIdent(c)} = ?`);
        const sql = `UPDATE ${quoteIdent(spec.table)} SET ${assign}
          WHERE ${[...keyMatch, ...unchanged].join(' AND ')} RETURNING 1 AS ok`;
        const params = [...set.map(([, , to]) => to), ...keys, ...set.map(([, from]) => from)];
        updated += (await tem.execute<Row[]>(sql, params)).length;
      }
      return updated;
    });
  } catch (err) {
    if (RETRYABLE.has((err as { code?: string }).code ?? '')) return 0;
    throw err;
  }
}
