/** Events the scheduling subgraph publishes (ids, codes and times; no names or reasons). */
export const APPOINTMENT_EVENTS = {
  booked: 'appointment.booked',
  rescheduled: 'appointment.rescheduled',
  cancelled: 'appointment.cancelled',
  arrived: 'appointment.arrived',
  completed: 'appointment.completed',
  noShow: 'appointment.no-show',
} as const;

export type AppointmentEventType = (typeof APPOINTMENT_EVENTS)[keyof typeof APPOINTMENT_EVENTS];

/** The data of every appointment event. */
export interface AppointmentEventData {
  [key: string]: string | number;
  appointmentId: string;
  patientId: string;
  practitionerId: string;
  facilityId: string;
  status: string;
  start: string;
  end: string;
  version: number;
}
