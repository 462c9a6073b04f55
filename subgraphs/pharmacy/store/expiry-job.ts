import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { JobHandler } from '../../../platform/events/jobs.js';
import {
  recurringJobHandler,
  scheduleRecurring,
  type RecurringJob,
} from '../../../platform/events/recurring-job.js';
import { expireLots } from './stock-moves.js';

/** The daily expiry run's task (a plain job that schedules its next run). */
export const EXPIRY_RUN_TASK = 'pharmacy:expiry-run';

/** Five past midnight UTC after `at`: expiry is by day, so the run follows the date change. */
export function nextExpiryRun(at: Date): Date {
  const next = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
  return new Date(next.getTime() + 5 * 60_000);
}

const EXPIRY_RUN: RecurringJob = { task: EXPIRY_RUN_TASK, next: nextExpiryRun };

/** Schedules the next expiry run, once (every start of the subgraph may call this). */
export const scheduleExpiryRun = (em: EntityManager, at: Date): Promise<void> =>
  scheduleRecurring(em, EXPIRY_RUN, at);

/**
 * The daily expiry run: every facility's expired lots written off on the
 * ledger, lots near expiry and low stock raised as alerts (stock-moves.ts),
 * then the next run scheduled, in one transaction.
 */
export function expiryRunJob(nearExpiryDays: number, log: Logger): JobHandler {
  return recurringJobHandler(
    EXPIRY_RUN,
    (tx, at) => expireLots(tx, { at, nearExpiryDays }),
    (run) =>
      log.info({ expiredLots: run.expired.length, alerts: run.alerts.length }, 'expiry run done'),
  );
}
