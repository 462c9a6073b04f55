import type { EntityManager } from '@mikro-orm/postgresql';

import { executeBound } from '../db/bound.js';
import { canonicalPayload, type AuditEntryInput } from './entry.js';
import { toAuditRecord, type AuditRecord } from './record.js';

// Keeps one statement well under PostgreSQL's 65535 bind parameters.
const MAX_ROWS_PER_INSERT = 5000;

/**
 * Appends entries to the audit log in the caller's transaction (pass the
 * `em` of `em.transactional`), so a PHI write and its audit commit together and
 * a failed append fails the caller. One multi-row INSERT; a no-op when empty.
 * Appends are plain inserts that wait on nothing: the sealer (platform/audit/sealer.ts)
 * orders committed entries into signed Merkle batches afterwards.
 */
export async function appendAudit(em: EntityManager, entries: AuditEntryInput[]): Promise<void> {
  for (let i = 0; i < entries.length; i += MAX_ROWS_PER_INSERT) {
    const batch = entries.slice(i, i + MAX_ROWS_PER_INSERT);
    // Payload only: the database assigns seq and time, and the service role may not read back.
    const values = batch.map(() => '(?)').join(', ');
    await executeBound(
      em,
      `INSERT INTO audit.intake (payload) VALUES ${values}`,
      batch.map(canonicalPayload),
    );
  }
}

/** Page of a patient's access log: newest first, `first` entries before `beforeSeq`. */
export interface AccessLogPage {
  first?: number;
  beforeSeq?: number;
}

/** Who accessed one patient's record, newest first (through `audit.access_log`). */
export async function readAccessLog(
  em: EntityManager,
  patientId: string,
  page: AccessLogPage = {},
): Promise<AuditRecord[]> {
  const first = Math.min(Math.max(Math.trunc(page.first ?? 20), 0), 1000);
  const rows = await em.execute<{ seq: string; payload: string; hash: string | null }[]>(
    'SELECT seq, payload, hash FROM audit.access_log(?, ?, ?)',
    [patientId, first, page.beforeSeq ?? null],
  );
  return rows.map(toAuditRecord);
}
