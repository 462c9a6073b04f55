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
import { CLINICAL_CHANGED } from '../contracts/clinical-events.js';
import type { PharmacyServices } from './context.js';
import { applyClinicalChange } from './store/clinical-facts.js';
import { EXPIRY_RUN_TASK, expiryRunJob } from './store/expiry-job.js';

/** Task identifiers of pharmacy's consumers (subgraphs/subscriptions.ts enqueues them). */
export const PHARMACY_TASKS = {
  accessFacts: 'pharmacy:access-facts',
  clinical: 'pharmacy:clinical',
} as const;

/**
 * What pharmacy consumes and runs: the access facts (the platform's
 * projections), and the clinical record's changes (`clinical.changed`),
 * from which it keeps each patient's allergies and outside medications for
 * the safety checks (store/clinical-facts.ts; other resource types are
 * ignored). It publishes `pharmacy.dispensed` with every dispense, and the
 * stock notifications (subgraphs/contracts/pharmacy-events.ts). Its plain
 * jobs: the access facts' heartbeat, and the daily expiry run.
 */
export function pharmacyTasks(
  _orm: MikroORM,
  services: PharmacyServices,
  log: Logger,
): { handlers: Record<string, EventHandler>; jobs: Record<string, JobHandler>; lane: string[] } {
  const events = log.child({ component: 'pharmacy-events' });
  return {
    handlers: {
      ...accessFactTasks('pharmacy'),
      [PHARMACY_TASKS.clinical]: async (event, em) => {
        const changed = await applyClinicalChange(
          em,
          services.cipher,
          parseEvent(CLINICAL_CHANGED, event),
        );
        // Ids only: the event's codes stay out of the log.
        if (changed) events.debug({ eventId: event.id }, 'clinical fact updated');
      },
    },
    jobs: {
      ...accessFactJobs('pharmacy'),
      [EXPIRY_RUN_TASK]: expiryRunJob(
        services.nearExpiryDays,
        log.child({ component: 'pharmacy-stock' }),
      ),
    },
    lane: accessFactLane('pharmacy'),
  };
}
