import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { JobHelpers, Task } from 'graphile-worker';
import type { Logger } from 'pino';

import type { JsonValue } from './envelope.js';
import { WORKER_SCHEMA } from './schema-sql.js';

/** The run of a plain job as its handler sees it. */
export interface JobInfo {
  id: string;
  /** This run's number, from 1; the last run has `attempts === maxAttempts`. */
  attempts: number;
  maxAttempts: number;
}

/**
 * Runs one plain job (not an event: no envelope, no inbox). `em` is a fresh
 * fork outside any transaction, so the handler can commit what it learnt
 * (an attempt, a failure) before throwing to have graphile-worker retry it
 * with exponential backoff. Runs are at least once: make effects idempotent.
 */
export type JobHandler = (payload: unknown, job: JobInfo, em: EntityManager) => Promise<void>;

/** A job to enqueue. Payloads follow the event payload rule: ids and codes, never PHI. */
export interface NewJob {
  task: string;
  payload: JsonValue;
  /** Not before this instant (default now). */
  runAt?: Date;
  /** One job per key: `replace` (default) swaps a waiting job for this one. */
  jobKey?: string;
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe';
  /** Runs before the job is left failed (default 25). */
  maxAttempts?: number;
}

const TASK = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Enqueues a plain graphile-worker job inside the caller's transaction, so it
 * exists if and only if the caller's rows commit. With a job key in `replace`
 * mode a waiting job is updated in place (new payload and time, attempts
 * reset); a running one is left to finish and a new job is queued beside it.
 */
export async function enqueueJob(em: EntityManager, job: NewJob): Promise<void> {
  if (!em.isInTransaction()) throw new Error('enqueueJob must run inside a transaction');
  if (!TASK.test(job.task)) throw new TypeError(`Invalid task ${job.task}`);
  const maxAttempts = job.maxAttempts ?? 25;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 32767)
    throw new RangeError('maxAttempts must be an integer from 1 to 32767');
  await em.execute(
    `SELECT ${WORKER_SCHEMA}.add_job(?::text, ?::json,
       run_at => ?::timestamptz,
       max_attempts => ?::int,
       job_key => ?::text,
       job_key_mode => ?::text)`,
    [
      job.task,
      JSON.stringify(job.payload),
      (job.runAt ?? new Date()).toISOString(),
      maxAttempts,
      job.jobKey ?? null,
      job.jobKey ? (job.jobKeyMode ?? 'replace') : null,
    ],
  );
}

/** graphile-worker's task for one plain job handler (see `startEventWorker`'s `jobs`). */
export function jobTask(task: string, handler: JobHandler, orm: MikroORM, log: Logger): Task {
  return async (payload: unknown, helpers: JobHelpers) => {
    const job: JobInfo = {
      id: helpers.job.id,
      attempts: helpers.job.attempts,
      maxAttempts: helpers.job.max_attempts,
    };
    await handler(payload, job, orm.em.fork());
    log.debug({ task, jobId: job.id, attempt: job.attempts }, 'job done');
  };
}
