import { AppointmentRecord } from './appointment.js';
import { AppointmentVersion } from './appointment-version.js';
import { ConsentProjection } from './consent-projection.js';

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
