import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import {
  accessFactJobs,
  accessFactLane,
  accessFactTasks,
} from '../../platform/authz/access-facts/index.js';
import type { EventHandler } from '../../platform/events/consumer.js';
import type { JobHandler } from '../../platform/events/jobs.js';
import type { CareRoutingServices } from './context.js';

/** Task identifiers of care routing's consumers (subgraphs/subscriptions.ts enqueues them). */
export const CARE_ROUTING_TASKS = {
  accessFacts: 'care-routing:access-facts',
} as const;

/**
 * What care routing consumes: the access facts (the platform's projections:
 * a recommendation for a patient is decided by their consents and care team).
 */
export function careRoutingTasks(
  _orm: MikroORM,
  _services: CareRoutingServices,
  _log: Logger,
): { handlers: Record<string, EventHandler>; jobs: Record<string, JobHandler>; lane: string[] } {
  return {
    handlers: { ...accessFactTasks('care-routing') },
    jobs: { ...accessFactJobs('care-routing') },
    lane: accessFactLane('care-routing'),
  };
}
