import { BigIntType, Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A billed HCPCS Level II code for one appointment. Unique per (appointment,
 * code), so a redelivered appointment event cannot bill the same code twice.
 */
@Entity({ tableName: 'charge' })
@Unique({ properties: ['appointmentId', 'code'] })
@Index({ properties: ['patientId', 'createdAt'] })
export class ChargeRecord {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  appointmentId!: string;

  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'text' })
  code!: string;

  /** `service` (a HCPCS code) or `no-show-fee` (code `NO-SHOW`). */
  @Property({ type: 'text' })
  kind: 'service' | 'no-show-fee' = 'service';

  @Property({ type: 'integer' })
  units!: number;

  @Property({ type: new BigIntType('bigint') })
  unitFeeMinor!: bigint;

  /** unitFeeMinor × units (a database check says so). */
  @Property({ type: new BigIntType('bigint') })
  amountMinor!: bigint;

  @Property({ type: 'character', length: 3 })
  currency!: string;

  /** The debit this charge posted. */
  @Property({ type: 'uuid', unique: true })
  ledgerEntryId!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'text' })
  createdBy!: string;
}
