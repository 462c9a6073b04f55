export { isUuid, parseEnvelope, type EventEnvelope, type JsonValue } from './envelope.js';
export { outboxSql, WORKER_SCHEMA } from './schema-sql.js';
export { installEventBackbone, grantEventsSql } from './provision.js';
export { publishEvent, type NewEvent, type PublishOptions } from './publish.js';
export { enqueueJob, type JobHandler, type JobInfo, type NewJob } from './jobs.js';
export {
  startEventWorker,
  type EventHandler,
  type EventWorker,
  type EventWorkerOptions,
} from './consumer.js';
