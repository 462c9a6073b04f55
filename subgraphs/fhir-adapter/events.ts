import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import {
  accessFactJobs,
  accessFactLane,
  accessFactTasks,
} from '../../platform/authz/access-facts/index.js';
import type { EventHandler } from '../../platform/events/consumer.js';
import type { JobHandler } from '../../platform/events/jobs.js';
import type { FhirServices } from './context.js';
import { BULK_IMPORT_TASK, bulkImportJob } from './import/bulk-jobs.js';

/**
 * What the FHIR adapter consumes and runs: the access facts (consents,
 * care-team links, break-the-glass grants, known patients: the platform's
 * projections), and bulk imports as plain jobs. It publishes
 * `clinical.changed` (subgraphs/contracts/clinical-events.ts) with every
 * version it writes (store/resource-writes.ts).
 */
export function fhirTasks(
  orm: MikroORM,
  services: FhirServices,
  log: Logger,
): { handlers: Record<string, EventHandler>; jobs: Record<string, JobHandler>; lane: string[] } {
  return {
    handlers: { ...accessFactTasks('fhir-adapter') },
    jobs: {
      ...accessFactJobs('fhir-adapter'),
      [BULK_IMPORT_TASK]: bulkImportJob(orm, services, log.child({ component: 'fhir-import' })),
    },
    lane: accessFactLane('fhir-adapter'),
  };
}
