import type { AppointmentStatus } from '../../contracts/appointment-events.js';

// HOLDS_TIME: the statuses that hold the practitioner's time (the exclusion constraint covers these).
export {
  APPOINTMENT_STATUSES,
  HOLDS_TIME,
  type AppointmentStatus,
} from '../../contracts/appointment-events.js';

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
