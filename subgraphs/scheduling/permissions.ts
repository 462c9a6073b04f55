import {
  allow,
  allowTypes,
  and,
  buildShield,
  hasRole,
  hasScope,
  or,
} from '../../platform/authz/rules.js';

// Who may reach appointment data at all; which appointments is decided per record (access.ts).
const readsAppointments = hasRole('patient', 'partner', 'clinician', 'scheduler', 'admin');
const canRead = and(readsAppointments, hasScope('Appointment', 'r'));
const canSearch = and(readsAppointments, hasScope('Appointment', 's'));
const books = and(
  hasRole('patient', 'partner', 'clinician', 'scheduler', 'admin'),
  hasScope('Appointment', 'c'),
);
const changes = and(
  hasRole('patient', 'partner', 'clinician', 'scheduler', 'admin'),
  hasScope('Appointment', 'u'),
);
const frontDeskOrClinician = and(
  hasRole('clinician', 'scheduler', 'admin'),
  hasScope('Appointment', 'u'),
);
// Slots and the practitioner directory are not PHI: any caller who may book or search.
const seesSlots = or(hasScope('Slot', 'r'), hasScope('Slot', 's'), hasScope('Appointment', 'c'));
const directory = hasRole(
  'patient',
  'partner',
  'clinician',
  'scheduler',
  'pharmacist',
  'billing',
  'admin',
  'auditor',
  'researcher',
);

/** The scheduling subgraph's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    _entities: directory,
    appointment: canRead,
    practitionerDay: and(hasRole('clinician', 'scheduler', 'admin'), hasScope('Appointment', 's')),
    availableSlots: seesSlots,
    practitioner: directory,
    practitioners: directory,
  },
  Mutation: {
    bookAppointment: books,
    rescheduleAppointment: changes,
    cancelAppointment: changes,
    checkIn: frontDeskOrClinician,
    completeAppointment: and(hasRole('clinician', 'admin'), hasScope('Appointment', 'u')),
    markNoShow: frontDeskOrClinician,
  },
  Patient: { id: allow, appointments: canSearch },
  Appointment: {
    '*': allow,
    // Minimum necessary: the front desk sees when and with whom, not why.
    reason: hasRole('patient', 'partner', 'clinician', 'admin'),
  },
  ...allowTypes(
    '_Service',
    'Practitioner',
    'PractitionerName',
    'Slot',
    'AppointmentConnection',
    'AppointmentEdge',
    'PageInfo',
  ),
});
