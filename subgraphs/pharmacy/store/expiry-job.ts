import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { enqueueJob, type JobHandler } from '../../../platform/events/jobs.js';
import { expireLots } from './stock-moves.js';

/** The daily expiry run's task (a plain job that schedules its next run). */
export const EXPIRY_RUN_TASK = 'pharmacy:expiry-run';

/** Five past midnight UTC after `at`: expiry is by day, so the run follows the date change. */
export function nextExpiryRun(at: Date): Date {
  const next = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
  return new Date(next.getTime() + 5 * 60_000);
}

/**
 * Schedules the next expiry run, once: a run already waiting keeps its time
 * (`preserve_run_at`), so every start of the subgraph may call this.
 */
export function scheduleExpiryRun(em: EntityManager, at: Date): Promise<void> {
  return enqueueJob(em, {
    task: EXPIRY_RUN_TASK,
    payload: {},
    runAt: nextExpiryRun(at),
    jobKey: EXPIRY_RUN_TASK,
    jobKeyMode: 'preserve_run_at',
    maxAttempts: 5,
  });
}

/**
 * The daily expiry run: every facility's expired lots written off on the
 * ledger, lots near expiry and low stock raised as alerts (stock-moves.ts),
 * then the next run scheduled, in one transaction.
 */
export function expiryRunJob(nearExpiryDays: number, log: Logger): JobHandler {
  return async (_payload, _job, em) => {
    const at = new Date();
    const run = await em.transactional(async (tx) => {
      const done = await expireLots(tx, { at, nearExpiryDays });
      await enqueueJob(tx, {
        task: EXPIRY_RUN_TASK,
        payload: {},
        runAt: nextExpiryRun(at),
        jobKey: EXPIRY_RUN_TASK,
        maxAttempts: 5,
      });
      return done;
    });
    log.info({ expiredLots: run.expired.length, alerts: run.alerts.length }, 'expiry run done');
  };
}
