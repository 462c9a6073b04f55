import { BigIntType, Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { CauseType, EntryKind } from '../domain/ledger.js';

/**
 * One posted ledger entry. Immutable: a database trigger refuses UPDATE,
 * DELETE and TRUNCATE, so write it only through `store/ledger.ts` (INSERT)
 * and never change a loaded instance.
 */
@Entity({ tableName: 'ledger_entry' })
@Index({ properties: ['accountPatientId', 'currency', 'createdAt'] })
export class LedgerEntryRecord {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  accountPatientId!: string;

  /** Signed minor units: positive the patient owes more, negative less. */
  @Property({ type: new BigIntType('bigint') })
  amountMinor!: bigint;

  @Property({ type: 'character', length: 3 })
  currency!: string;

  @Property({ type: 'text' })
  kind!: EntryKind;

  @Property({ type: 'text' })
  causeType!: CauseType;

  @Property({ type: 'text' })
  causeId!: string;

  @Property({ type: 'uuid', nullable: true, unique: true })
  reversesEntryId?: string | null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'text' })
  createdBy!: string;
}
