import type { CauseType, EntryKind, PostedEntry } from '../domain/ledger.js';
import { money } from '../domain/money.js';

/** A ledger_entry row as raw SQL returns it (bigint read as text, never a float). */
export interface EntryRow {
  id: string;
  account_patient_id: string;
  amount_minor: string;
  currency: string;
  kind: EntryKind;
  cause_type: CauseType;
  cause_id: string;
  reverses_entry_id: string | null;
  created_at: Date | string;
  created_by: string;
}

export const entryColumns = `id, account_patient_id, amount_minor::text AS amount_minor, currency,
  kind, cause_type, cause_id, reverses_entry_id, created_at, created_by`;

/** A posted entry from its row. */
export function toEntry(r: EntryRow): PostedEntry {
  return {
    id: r.id,
    patientId: r.account_patient_id,
    amount: money(r.amount_minor, r.currency),
    kind: r.kind,
    cause: { type: r.cause_type, id: r.cause_id },
    ...(r.reverses_entry_id ? { reversesEntryId: r.reverses_entry_id } : {}),
    // node-postgres returns timestamptz as text when read through em.execute.
    createdAt: new Date(r.created_at),
    createdBy: r.created_by,
  };
}
