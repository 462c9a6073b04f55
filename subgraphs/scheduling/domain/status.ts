import type { AppointmentStatus } from '../../contracts/appointment-events.js';

export {
  APPOINTMENT_STATUSES,
  type AppointmentStatus,
} from '../../contracts/appointment-events.js';

/** Statuses that hold the practitioner's time (the exclusion constraint covers these). */
export const HOLDS_TIME: readonly AppointmentStatus[] = ['booked', 'arrived', 'fulfilled'];

const NEXT: Record<AppointmentStatus, readonly AppointmentStatus[]> = {
  proposed: ['booked', 'cancelled'],
  booked: ['arrived', 'cancelled', 'noshow'],
  arrived: ['fulfilled', 'cancelled'],
  fulfilled: [],
  cancelled: [],
  noshow: [],
};

/** Whether an appointment may go from `from` to `to`. */
export function canTransition(from: AppointmentStatus, to: AppointmentStatus): boolean {
  return NEXT[from].includes(to);
}

/** Only a booked appointment may move to another time. */
export const canReschedule = (status: AppointmentStatus): boolean => status === 'booked';
