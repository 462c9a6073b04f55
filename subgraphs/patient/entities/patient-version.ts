import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** One version of a patient record, kept whole (encrypted) so history is readable. */
@Entity({ tableName: 'patient_version' })
@Unique({ properties: ['patientId', 'version'] })
export class PatientVersion {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'integer' })
  version!: number;

  /** Encrypted JSON snapshot of the record's PHI at this version. */
  @Property({ type: 'text' })
  snapshot!: string;

  @Property({ type: 'timestamptz' })
  recordedAt: Date = new Date();

  @Property({ type: 'text' })
  recordedBy!: string;
}
