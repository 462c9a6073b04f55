import { z } from 'zod';
import { defineEvent, type EventContract } from '../../platform/events/contract.js';

/** FHIR Appointment statuses Carefed uses. */
export const APPOINTMENT_STATUSES = [
  'proposed',
  'booked',
  'arrived',
  'fulfilled',
  'cancelled',
  'noshow',
] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/** Statuses that hold the practitioner's time: booked, arrived, fulfilled (a consumer's free slots exclude them). */
export const HOLDS_TIME: readonly AppointmentStatus[] = ['booked', 'arrived', 'fulfilled'];

const instant = z.iso.datetime({ offset: true });

/** The data of every appointment event: ids, codes and times; never a name or a reason. */
const appointmentData = z.object({
  appointmentId: z.guid(),
  patientId: z.guid(),
  practitionerId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
  facilityId: z.string().min(1).max(200),
  status: z.enum(APPOINTMENT_STATUSES),
  start: instant,
  end: instant,
  version: z.number().int().min(1).max(2_147_483_647),
});
export type AppointmentEventData = z.infer<typeof appointmentData>;

const appointmentEvent = (type: string) =>
  defineEvent(type, appointmentData, (d) => d.appointmentId);

/**
 * The events the scheduling subgraph publishes, one contract each, shared by
 * scheduling (producer) and its consumers (billing, webhooks, notifications).
 */
export const APPOINTMENT_EVENTS = {
  booked: appointmentEvent('appointment.booked'),
  rescheduled: appointmentEvent('appointment.rescheduled'),
  cancelled: appointmentEvent('appointment.cancelled'),
  arrived: appointmentEvent('appointment.arrived'),
  completed: appointmentEvent('appointment.completed'),
  noShow: appointmentEvent('appointment.no-show'),
} as const;

/** One of the appointment contracts. */
export type AppointmentEventContract = EventContract<AppointmentEventData>;

/** Every appointment event type, e.g. for a webhook subscription's choices. */
export const APPOINTMENT_EVENT_TYPES: readonly string[] = Object.values(APPOINTMENT_EVENTS).map(
  (c) => c.type,
);

/** The contract of an appointment event type, or undefined for any other type. */
export function appointmentContract(type: string): AppointmentEventContract | undefined {
  return Object.values(APPOINTMENT_EVENTS).find((c) => c.type === type);
}
