import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { enqueueJob, type JobHandler } from '../../../platform/events/jobs.js';
import { refreshForecasts } from './forecasts.js';

/** The scheduled refresh's task (a plain job that schedules its next run). */
export const REFRESH_TASK = 'open-data:refresh';

/**
 * Schedules the next refresh `hours` after `at`, once: a run already waiting
 * keeps its time, so every start may call this.
 */
export function scheduleRefresh(em: EntityManager, at: Date, hours: number): Promise<void> {
  return enqueueJob(em, {
    task: REFRESH_TASK,
    payload: {},
    runAt: new Date(at.getTime() + hours * 3_600_000),
    jobKey: REFRESH_TASK,
    jobKeyMode: 'preserve_run_at',
    maxAttempts: 5,
  });
}

/** The scheduled refresh: forecasts recomputed and the next run scheduled, in one transaction. */
export function refreshJob(hours: number, log: Logger): JobHandler {
  return async (_payload, _job, em) => {
    const at = new Date();
    const made = await em.transactional(async (tx) => {
      const rows = await refreshForecasts(tx, at);
      await enqueueJob(tx, {
        task: REFRESH_TASK,
        payload: {},
        runAt: new Date(at.getTime() + hours * 3_600_000),
        jobKey: REFRESH_TASK,
        maxAttempts: 5,
      });
      return rows.length;
    });
    log.info({ forecasts: made }, 'open data forecasts refreshed');
  };
}
