import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { AppointmentStatus } from '../domain/status.js';

/** Each state an appointment has been in: status and time, who changed it and when. */
@Entity({ tableName: 'appointment_version' })
export class AppointmentVersion {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  appointmentId!: string;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'text' })
  status!: AppointmentStatus;

  @Property({ type: 'timestamptz' })
  startsAt!: Date;

  @Property({ type: 'timestamptz' })
  endsAt!: Date;

  @Property({ type: 'timestamptz' })
  recordedAt: Date = new Date();

  @Property({ type: 'text' })
  recordedBy!: string;
}
