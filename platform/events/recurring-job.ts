import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueJob, type JobHandler } from './jobs.js';

/** A plain job that runs on a schedule: its task and when it runs next after a run at `at`. */
export interface RecurringJob {
  task: string;
  next: (at: Date) => Date;
  /** Runs before a failing run is left failed (default 5). */
  maxAttempts?: number;
}

/**
 * Schedules the job's next run after `at`, once: a run already waiting keeps
 * its time (`preserve_run_at`), so every start of a service may call this.
 */
export function scheduleRecurring(em: EntityManager, job: RecurringJob, at: Date): Promise<void> {
  return enqueueJob(em, {
    task: job.task,
    payload: {},
    runAt: job.next(at),
    jobKey: job.task,
    jobKeyMode: 'preserve_run_at',
    maxAttempts: job.maxAttempts ?? 5,
  });
}

/**
 * The job's handler: `run` in one transaction with the scheduling of the next
 * run, so a run that fails is retried and a run that commits is followed by
 * exactly one next; `done` hears what it returned (to log counts).
 */
export function recurringJobHandler<R>(
  job: RecurringJob,
  run: (tx: EntityManager, at: Date) => Promise<R>,
  done: (result: R) => void,
): JobHandler {
  return async (_payload, _info, em) => {
    const at = new Date();
    const result = await em.transactional(async (tx) => {
      const r = await run(tx, at);
      await enqueueJob(tx, {
        task: job.task,
        payload: {},
        runAt: job.next(at),
        jobKey: job.task,
        maxAttempts: job.maxAttempts ?? 5,
      });
      return r;
    });
    done(result);
  };
}
