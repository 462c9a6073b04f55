import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { JWK } from 'jose';

import {
  batchHeadHash,
  batchVerifyKey,
  BATCH_COLUMNS,
  BATCH_HEAD_VERSION,
  headOfRow,
  sameHead,
  verifyBatchJws,
  type BatchHead,
  type BatchRow,
} from './batch-head.js';
import { queryRows, type AuditDb } from './db.js';
import { leafHash, merkleRoot } from './merkle.js';

/**
 * Sealed months exported to files: one JSON line per batch head (with its
 * signature) followed by its entries, so a month can be checked with the
 * log's public key alone, kept on write-once storage, and then dropped from
 * the database (`audit.drop_month`).
 */

interface BatchLine extends BatchHead {
  type: 'batch';
  headHash: string;
  jws: string;
}
interface EntryLine {
  type: 'entry';
  seq: number;
  payload: string;
}
interface MonthLine {
  type: 'audit-month';
  v: 2;
  month: string;
  batches: number;
  entries: number;
}
type ArchiveLine = MonthLine | BatchLine | EntryLine;

export interface ArchiveSummary {
  month: string;
  batches: number;
  entries: number;
  sha256: string;
}

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/**
 * Writes every sealed batch of `month` and its entries to `file` and records
 * the export in `audit.archive` (connect as the audit owner or a superuser).
 * Refuses the current month, and a month with entries still waiting to be sealed.
 */
export async function exportMonth(
  db: AuditDb,
  month: string,
  file: string,
  now = new Date(),
): Promise<ArchiveSummary> {
  if (!MONTH.test(month)) throw new Error(`not a month (YYYY-MM): ${month}`);
  if (month >= now.toISOString().slice(0, 7))
    throw new Error(`audit month ${month} is not over yet`);
  const [waiting] = await queryRows<{ n: string }>(
    db,
    `SELECT count(*) AS n FROM audit.intake WHERE to_char(logged_at AT TIME ZONE 'UTC', 'YYYY-MM') = ?`,
    [month],
  );
  if (Number(waiting?.n) > 0)
    throw new Error(`audit month ${month} has ${waiting!.n} entries still waiting to be sealed`);
  const batches = await queryRows<BatchRow>(
    db,
    `SELECT ${BATCH_COLUMNS} FROM audit.batch WHERE month = ? ORDER BY batch`,
    [month],
  );
  if (batches.length === 0) throw new Error(`audit month ${month} has no sealed batches`);
  const lines: string[] = [];
  let entries = 0;
  for (const b of batches) {
    const rows = await queryRows<{ seq: string; payload: string | null }>(
      db,
      `SELECT s.seq, e.payload FROM audit.seal s LEFT JOIN audit.sealed e ON e.seq = s.seq
        WHERE s.batch = ? ORDER BY s.idx`,
      [b.batch],
    );
    const head: BatchLine = { type: 'batch', ...headOfRow(b), headHash: b.head_hash, jws: b.jws };
    lines.push(JSON.stringify(head));
    for (const r of rows) {
      if (r.payload === null)
        throw new Error(`audit entry ${r.seq} of batch ${b.batch} is missing: verify the log`);
      lines.push(JSON.stringify({ type: 'entry', seq: Number(r.seq), payload: r.payload }));
    }
    entries += rows.length;
  }
  const header: MonthLine = { type: 'audit-month', v: 2, month, batches: batches.length, entries };
  const text = `${[JSON.stringify(header), ...lines].join('\n')}\n`;
  await fs.writeFile(file, text, { flag: 'wx', mode: 0o444 });
  const sha256 = createHash('sha256').update(text).digest('hex');
  await queryRows(
    db,
    `INSERT INTO audit.archive (month, first_batch, last_batch, entries, file_sha256)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (month) DO UPDATE SET first_batch = EXCLUDED.first_batch,
        last_batch = EXCLUDED.last_batch, entries = EXCLUDED.entries,
        file_sha256 = EXCLUDED.file_sha256, exported_at = now()
      WHERE audit.archive.dropped_at IS NULL`,
    [month, batches[0]!.batch, batches.at(-1)!.batch, entries, sha256],
  );
  return { month, batches: batches.length, entries, sha256 };
}

export type ArchiveCheck =
  { ok: true; months: string[]; batches: number; entries: number } | { ok: false; reason: string };

/**
 * Checks exported months with the log's public key alone: every batch's
 * signature, head hash and Merkle root over its entries, the header's
 * counts, and the chain between consecutive batches present in the files.
 */
export async function verifyArchive(files: string[], publicJwk: JWK): Promise<ArchiveCheck> {
  const key = batchVerifyKey(publicJwk);
  const heads = new Map<number, BatchLine>();
  const months: string[] = [];
  let entries = 0;
  for (const file of files) {
    const lines = (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    let parsed: ArchiveLine[];
    try {
      parsed = lines.map((l) => JSON.parse(l) as ArchiveLine);
    } catch {
      return { ok: false, reason: `${file}: not an audit archive (a line is not JSON)` };
    }
    const [header, ...rest] = parsed;
    if (header?.type !== 'audit-month') return { ok: false, reason: `${file}: no month header` };
    let count = 0;
    let batchCount = 0;
    for (let i = 0; i < rest.length;) {
      const b = rest[i++]!;
      if (b.type !== 'batch') return { ok: false, reason: `${file}: an entry outside any batch` };
      const head: BatchHead = {
        v: BATCH_HEAD_VERSION,
        batch: b.batch,
        month: b.month,
        size: b.size,
        root: b.root,
        prev: b.prev,
        sealedAt: b.sealedAt,
      };
      const signed = verifyBatchJws(b.jws, key);
      if (!signed || !sameHead(signed, head) || batchHeadHash(head) !== b.headHash)
        return { ok: false, reason: `${file}: batch ${b.batch} is not the batch the log signed` };
      if (b.month !== header.month)
        return { ok: false, reason: `${file}: batch ${b.batch} belongs to ${b.month}` };
      const leaves: string[] = [];
      while (i < rest.length && rest[i]!.type === 'entry') {
        const e = rest[i++] as EntryLine;
        leaves.push(leafHash(e.seq, e.payload));
      }
      if (leaves.length !== b.size || merkleRoot(leaves) !== b.root)
        return { ok: false, reason: `${file}: batch ${b.batch} entries do not match its root` };
      heads.set(b.batch, b);
      count += leaves.length;
      batchCount++;
    }
    if (count !== header.entries || batchCount !== header.batches)
      return { ok: false, reason: `${file}: holds other counts than its header names` };
    months.push(header.month);
    entries += count;
  }
  for (const [n, b] of heads) {
    const before = heads.get(n - 1);
    if (before && b.prev !== before.headHash)
      return { ok: false, reason: `batch ${n} does not follow batch ${n - 1}` };
  }
  return { ok: true, months, batches: heads.size, entries };
}
