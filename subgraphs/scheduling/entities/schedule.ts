import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { ScheduleException, WeeklyHours } from '../../../platform/time/availability.js';

/** When a practitioner can be booked at one facility: weekly hours, slot length, exceptions. */
@Entity({ tableName: 'schedule' })
export class ScheduleRecord {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Index()
  @Property({ type: 'text' })
  practitionerId!: string;

  @Property({ type: 'text' })
  facilityId!: string;

  /** IANA zone of the facility; slots are laid out on its wall clock. */
  @Property({ type: 'text' })
  timeZone!: string;

  @Property({ type: 'integer' })
  slotMinutes!: number;

  @Property({ type: 'json' })
  weekly!: WeeklyHours;

  @Property({ type: 'json' })
  exceptions!: ScheduleException[];

  @Property({ type: 'boolean' })
  active: boolean = true;

  /** Grows with each `schedule.changed` published for it (store/schedules.ts). */
  @Property({ type: 'integer' })
  version: number = 1;
}
