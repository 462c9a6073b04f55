import { toLocal } from '../../../platform/time/index.js';
import type { AppointmentRecord } from '../entities/index.js';
import { Appointment, Practitioner, type AppointmentStatusCode } from './scheduling.types.js';
import type { PractitionerRecord } from '../entities/index.js';

/** The GraphQL shape of an appointment (times shown on the facility's wall clock too). */
export function toAppointment(a: AppointmentRecord): Appointment {
  return Object.assign(new Appointment(), {
    id: a.id,
    status: a.status as AppointmentStatusCode,
    start: a.startsAt,
    end: a.endsAt,
    timeZone: a.timeZone,
    localStart: toLocal(a.startsAt, a.timeZone),
    localEnd: toLocal(a.endsAt, a.timeZone),
    facilityId: a.facilityId,
    facility: { id: a.facilityId },
    practitionerId: a.practitionerId,
    patientId: a.patientId,
    patient: { id: a.patientId },
    version: a.version,
    reasonCipher: a.reason ?? null,
  });
}

/** The GraphQL shape of a practitioner. */
export function toPractitioner(p: PractitionerRecord): Practitioner {
  return Object.assign(new Practitioner(), {
    id: p.id,
    npi: p.npi,
    name: {
      family: p.family,
      given: p.given,
      text: [p.prefix, ...p.given, p.family].filter(Boolean).join(' '),
    },
    specialties: p.specialties,
    facilityIds: p.facilityIds,
    facilities: p.facilityIds.map((id) => ({ id })),
  });
}
