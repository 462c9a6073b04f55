import { BigIntType, Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

export type PaymentSource = 'patient' | 'payer';

/** Money received for a patient's account, once per (caller, idempotency key). */
@Entity({ tableName: 'payment' })
@Index({ properties: ['patientId', 'createdAt'] })
@Unique({ properties: ['createdBy', 'idempotencyKey'] })
export class PaymentRecord {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'text' })
  source!: PaymentSource;

  /** How it came: `cash`, `cheque`, `card-terminal` (staff), `provider` or `unrecorded` (older rows). */
  @Property({ type: 'text' })
  method!: string;

  /** The payment intent a provider confirmed (set exactly for `provider` payments). */
  @Property({ type: 'uuid', nullable: true, unique: true })
  intentId?: string | null;

  /** Set exactly when a payer (not the patient) paid. */
  @Property({ type: 'text', nullable: true })
  payerId?: string | null;

  /** Positive minor units received. */
  @Property({ type: new BigIntType('bigint') })
  amountMinor!: bigint;

  @Property({ type: 'character', length: 3 })
  currency!: string;

  @Property({ type: 'text' })
  idempotencyKey!: string;

  /** The credit this payment posted. */
  @Property({ type: 'uuid', unique: true })
  ledgerEntryId!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'text' })
  createdBy!: string;
}
