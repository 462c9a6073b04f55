import type { SqlPart } from '../db/statement.js';
import { canonicalPayload, type AuditEntryInput } from './entry.js';

/**
 * `appendAudit`'s INSERT as a part of a combined statement (`StatementBatch`),
 * so a write's audit entry goes out with its rows in one round trip: one
 * row per entry, payload only (the database assigns seq and time; the sealer
 * moves the rows, sealed, out of the intake), nothing read back. For one write's
 * few entries: a long batch goes through `appendAudit`, which splits it.
 */
export function auditPart(entries: readonly AuditEntryInput[]): SqlPart {
  if (!entries.length) throw new Error('auditPart needs at least one entry');
  return {
    sql: `INSERT INTO audit.intake (payload) VALUES ${entries.map(() => '(?)').join(', ')}`,
    params: entries.map(canonicalPayload),
  };
}
