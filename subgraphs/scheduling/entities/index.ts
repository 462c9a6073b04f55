import { AppointmentRecord } from './appointment.js';
import { AppointmentVersion } from './appointment-version.js';
import { ConsentProjection } from '../../../platform/authz/consent-projection/index.js';

import { PractitionerRecord } from './practitioner.js';
import { ScheduleRecord } from './schedule.js';

export {
  AppointmentRecord,
  AppointmentVersion,
  ConsentProjection,
  PractitionerRecord,
  ScheduleRecord,
};

export const entities = [
  AppointmentRecord,
  AppointmentVersion,
  ConsentProjection,
  PractitionerRecord,
  ScheduleRecord,
];
