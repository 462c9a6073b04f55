import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import {
  accessFactJobs,
  accessFactLane,
  accessFactTasks,
} from '../../platform/authz/access-facts/index.js';
import type { EventHandler } from '../../platform/events/consumer.js';
import { parseEvent } from '../../platform/events/contract.js';
import type { JobHandler } from '../../platform/events/jobs.js';
import { appointmentContract } from '../contracts/appointment-events.js';
import { SCHEDULE_CHANGED } from '../contracts/schedule-events.js';
import type { CareRoutingServices } from './context.js';
import { applyAppointmentChanged, applyScheduleChanged } from './store/availability-projection.js';

/** Task identifiers of care routing's consumers (subgraphs/subscriptions.ts enqueues them). */
export const CARE_ROUTING_TASKS = {
  accessFacts: 'care-routing:access-facts',
  schedules: 'care-routing:schedules',
  appointments: 'care-routing:appointments',
} as const;

/** The `care-routing:schedules` handler: keeps `schedule_projection` (store/availability-projection.ts). */
export const applyScheduleEvent: EventHandler = async (event, em) => {
  await applyScheduleChanged(em, parseEvent(SCHEDULE_CHANGED, event));
};

/** The `care-routing:appointments` handler: keeps `held_time` from any appointment event. */
export const applyAppointmentEvent: EventHandler = async (event, em) => {
  const contract = appointmentContract(event.type);
  if (!contract) throw new Error(`Event ${event.id} is not an appointment event`);
  await applyAppointmentChanged(em, parseEvent(contract, event));
};

/**
 * What care routing consumes: the access facts (the platform's projections:
 * a recommendation for a patient is decided by their consents and care team),
 * and scheduling's schedule and appointment events, from which it keeps
 * practitioners' bookable hours and the time appointments hold (the next free
 * slot of a facility: a projection, never a read of scheduling's tables).
 * Each delivery runs once (the platform's inbox); an older or repeated
 * version changes nothing.
 */
export function careRoutingTasks(
  _orm: MikroORM,
  _services: CareRoutingServices,
  _log: Logger,
): { handlers: Record<string, EventHandler>; jobs: Record<string, JobHandler>; lane: string[] } {
  return {
    handlers: {
      ...accessFactTasks('care-routing'),
      [CARE_ROUTING_TASKS.schedules]: applyScheduleEvent,
      [CARE_ROUTING_TASKS.appointments]: applyAppointmentEvent,
    },
    jobs: { ...accessFactJobs('care-routing') },
    lane: accessFactLane('care-routing'),
  };
}
