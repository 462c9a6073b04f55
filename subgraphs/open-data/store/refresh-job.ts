import type { Logger } from 'pino';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobHandler } from '../../../platform/events/jobs.js';
import {
  recurringJobHandler,
  scheduleRecurring,
  type RecurringJob,
} from '../../../platform/events/recurring-job.js';
import { refreshForecasts } from './forecasts.js';

/** The scheduled refresh's task (a plain job that schedules its next run). */
export const REFRESH_TASK = 'open-data:refresh';

const refresh = (hours: number): RecurringJob => ({
  task: REFRESH_TASK,
  next: (at) => new Date(at.getTime() + hours * 3_600_000),
});

/** Schedules the next refresh `hours` after `at`, once (every start may call this). */
export const scheduleRefresh = (em: EntityManager, at: Date, hours: number): Promise<void> =>
  scheduleRecurring(em, refresh(hours), at);

/** The scheduled refresh: forecasts recomputed (store/forecasts.ts) and the next run scheduled. */
export const refreshJob = (hours: number, log: Logger): JobHandler =>
  recurringJobHandler(refresh(hours), refreshForecasts, (rows) =>
    log.info({ forecasts: rows.length }, 'open data forecasts refreshed'),
  );
