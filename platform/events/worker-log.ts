import { Logger as GraphileLogger } from 'graphile-worker';
import type { Logger } from 'pino';

/**
 * graphile-worker's logger writing to pino. Only the scope (worker id, task
 * identifier, job id) travels as fields: the metadata graphile-worker attaches
 * holds whole job rows, payloads included, which stay out of logs. Its per-job
 * "completed" lines go to debug; our consumer logs each delivery itself.
 */
export function graphileLogger(log: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message) => {
    const fields = {
      workerId: scope.workerId,
      task: scope.taskIdentifier,
      jobId: scope.jobId,
    };
    switch (String(level)) {
      case 'error':
        log.error(fields, message);
        break;
      case 'warning':
        log.warn(fields, message);
        break;
      case 'info':
        log.debug(fields, message);
        break;
      default:
        log.trace(fields, message);
    }
  });
}
