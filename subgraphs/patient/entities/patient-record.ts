import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A patient's current record. Every PHI column holds AES-256-GCM ciphertext
 * bound to this table, its column and the row id; `mrnIndex` and
 * `familyBirthIndex` are HMAC blind indexes for exact-match search.
 */
@Entity({ tableName: 'patient' })
export class PatientRecord {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'text' })
  mrn!: string;

  /** Not unique: a registration matching records its caller may not see goes to review. */
  @Index()
  @Property({ type: 'text' })
  mrnIndex!: string;

  @Index()
  @Property({ type: 'text' })
  familyBirthIndex!: string;

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  birthDate!: string;

  @Property({ type: 'text' })
  gender!: string;

  @Property({ type: 'text' })
  telecom!: string;

  @Property({ type: 'text' })
  address!: string;

  @Property({ type: 'text' })
  identifiers!: string;

  @Property({ type: 'text', nullable: true })
  managingOrganizationId?: string | null;

  @Property({ type: 'boolean' })
  active: boolean = true;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
