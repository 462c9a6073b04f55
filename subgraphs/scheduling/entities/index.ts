import { accessFactEntities } from '../../../platform/authz/access-facts/entities.js';
import { AppointmentRecord } from './appointment.js';
import { AppointmentVersion } from './appointment-version.js';
import { PractitionerRecord } from './practitioner.js';
import { ScheduleRecord } from './schedule.js';

export { AppointmentRecord, AppointmentVersion, PractitionerRecord, ScheduleRecord };

export const entities = [
  AppointmentRecord,
  AppointmentVersion,
  PractitionerRecord,
  ScheduleRecord,
  ...accessFactEntities,
];
