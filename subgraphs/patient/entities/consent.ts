import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { Provision } from '../../../platform/authz/consent.js';

/** A patient's Consent in the FHIR R4 shape: provisions permit or deny by actor, purpose, data class, period. */
@Entity({ tableName: 'consent' })
export class ConsentRecordEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Index()
  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'text' })
  status!: 'active' | 'inactive';

  @Property({ type: 'text' })
  scope!: 'patient-privacy' | 'research' | 'treatment';

  @Property({ type: 'json' })
  provisions!: Provision[];

  @Property({ type: 'timestamptz', nullable: true })
  periodStart?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  periodEnd?: Date | null;

  @Property({ type: 'timestamptz' })
  recordedAt: Date = new Date();

  @Property({ type: 'text' })
  recordedBy!: string;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  revokedBy?: string | null;
}
