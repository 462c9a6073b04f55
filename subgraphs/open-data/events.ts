import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { CONSENT_CHANGED } from '../../platform/authz/access-facts/events.js';
import type { EventHandler } from '../../platform/events/consumer.js';
import { parseEvent } from '../../platform/events/contract.js';
import type { JobHandler } from '../../platform/events/jobs.js';
import { appointmentContract } from '../contracts/appointment-events.js';
import { CLINICAL_CHANGED } from '../contracts/clinical-events.js';
import { PATIENT_PROFILE_CHANGED } from '../contracts/patient-events.js';
import { PHARMACY_DISPENSED } from '../contracts/pharmacy-events.js';
import { SCHEDULE_CHANGED } from '../contracts/schedule-events.js';
import type { OpenDataServices } from './context.js';
import {
  ingestAppointments,
  ingestClinical,
  ingestConsent,
  ingestDispenses,
  ingestProfiles,
  ingestSchedule,
  type Ingest,
} from './store/ingest.js';
import { REFRESH_TASK, refreshJob } from './store/refresh-job.js';

/** Task identifiers of open data's consumers (subgraphs/subscriptions.ts enqueues them). */
export const OPEN_DATA_TASKS = {
  profiles: 'open-data:profiles',
  consents: 'open-data:consents',
  clinical: 'open-data:clinical',
  appointments: 'open-data:appointments',
  dispenses: 'open-data:dispenses',
  schedules: 'open-data:schedules',
} as const;

/**
 * What open data consumes, each event de-identified on receipt
 * (store/ingest.ts): patients' research profiles, research consents, the
 * clinical record's changes, appointments, dispenses and practitioners'
 * specialties. It reads no other subgraph's tables. Each delivery runs once
 * (the platform's inbox); an older version changes nothing.
 */
export function openDataTasks(
  _orm: MikroORM,
  services: OpenDataServices,
  log: Logger,
): {
  handlers: Record<string, EventHandler>;
  jobs: Record<string, JobHandler>;
  lane: string[];
  inboxKey: (eventId: string) => string;
} {
  const x = (em: Parameters<EventHandler>[1]): Ingest => ({
    em,
    ids: services.pseudonyms,
    now: new Date(),
  });
  return {
    handlers: {
      [OPEN_DATA_TASKS.profiles]: (e, em) =>
        ingestProfiles(x(em), [parseEvent(PATIENT_PROFILE_CHANGED, e)]),
      [OPEN_DATA_TASKS.consents]: (e, em) => ingestConsent(x(em), parseEvent(CONSENT_CHANGED, e)),
      [OPEN_DATA_TASKS.clinical]: (e, em) =>
        ingestClinical(x(em), [parseEvent(CLINICAL_CHANGED, e)]),
      [OPEN_DATA_TASKS.appointments]: (e, em) => {
        const contract = appointmentContract(e.type);
        if (!contract) throw new Error(`Event ${e.id} is not an appointment event`);
        return ingestAppointments(x(em), [parseEvent(contract, e)]);
      },
      [OPEN_DATA_TASKS.dispenses]: (e, em) =>
        ingestDispenses(x(em), [parseEvent(PHARMACY_DISPENSED, e)]),
      [OPEN_DATA_TASKS.schedules]: (e, em) =>
        ingestSchedule(x(em), parseEvent(SCHEDULE_CHANGED, e)),
    },
    jobs: { [REFRESH_TASK]: refreshJob(services.forecastHours, log) },
    lane: [],
    // The inbox keeps no id another subgraph issued (a dispense's event id is the dispense's).
    inboxKey: (id) => services.pseudonyms.event(id),
  };
}
