import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { AppointmentStatus } from '../domain/status.js';

/**
 * An appointment: a UTC range of one practitioner's time for one patient.
 * No two booked, arrived or fulfilled appointments of a practitioner overlap:
 * an exclusion constraint says so (migration), not application code.
 */
@Entity({ tableName: 'appointment' })
export class AppointmentRecord {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Index()
  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'text' })
  practitionerId!: string;

  @Property({ type: 'text' })
  facilityId!: string;

  @Property({ type: 'text' })
  timeZone!: string;

  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Property({ type: 'timestamptz' })
  endsAt!: Date;

  @Property({ type: 'text' })
  status!: AppointmentStatus;

  /** Encrypted (PHI): why the patient comes. */
  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'integer', version: true })
  version!: number;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'text' })
  createdBy!: string;

  /** The partner app it was booked through, if any: counted against that app's booking cap. */
  @Property({ type: 'text', nullable: true })
  bookedByClient?: string | null;
}
