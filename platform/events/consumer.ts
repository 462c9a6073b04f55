import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { run, type JobHelpers, type Task, type TaskList } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';

import { parseEnvelope, type EventEnvelope } from './envelope.js';
import { jobTask, type JobHandler } from './jobs.js';
import { ident } from './schema-sql.js';
import { staleLockSweeper } from './stale-locks.js';
import { graphileLogger } from './worker-log.js';

/** Applies one event with the transaction's `em`; throw to roll back and retry later. */
export type EventHandler = (event: EventEnvelope, em: EntityManager) => Promise<void>;

export interface EventWorkerOptions {
  /** The service role's login URL. */
  connectionString: string;
  /** The consumer's schema, holding its `inbox`. */
  schema: string;
  /** By graphile-worker task identifier: the names producers pass as consumers. */
  handlers: Record<string, EventHandler>;
  /** Plain jobs (enqueued with `enqueueJob`) by task identifier, run beside the events. */
  jobs?: Record<string, JobHandler>;
  /** The service's ORM; each delivery runs in a transaction on a fork of its `em`. */
  orm: MikroORM;
  /** Jobs run at once (default 1). */
  concurrency?: number;
  /**
   * Tasks (handlers or jobs) run by a runner of their own, one at a time, so
   * they never wait behind the others (a webhook backlog): the access facts.
   */
  lane?: readonly string[];
  /** Milliseconds between polls when LISTEN/NOTIFY is quiet (default 2000). */
  pollInterval?: number;
  /**
   * A job locked longer than this (default 10 minutes) is taken to belong to a
   * dead worker and is released for redelivery.
   */
  staleLockAfterMs?: number;
  /**
   * What the inbox keeps of an event id (default the id itself): a consumer
   * whose store must hold no id another service issued (open data) keeps a
   * keyed hash of it instead; it must be a UUID, and the same for the same id.
   */
  inboxKey?: (eventId: string) => string;
  log: Logger;
}

export interface EventWorker {
  /** Lets running deliveries finish (or fail back to the queue), then closes connections. */
  stop(): Promise<void>;
  /**
   * Settles when the worker has stopped: resolves after `stop()`, rejects if
   * it died on an error (e.g. the database went away while releasing a job).
   * A service should then exit so its supervisor restarts it.
   */
  done: Promise<void>;
}

/**
 * Runs graphile-worker for this service's event handlers. Each delivery is
 * one transaction: claim the event id in the inbox, apply the handler, commit.
 * A duplicate delivery finds the claim and does nothing (a concurrent one
 * waits on the uncommitted claim, then finds it); a failure rolls the claim
 * back with the effects and graphile-worker retries with exponential backoff.
 * Delivery is at least once; effects are exactly once.
 */
export async function startEventWorker(opts: EventWorkerOptions): Promise<EventWorker> {
  const inbox = `${ident(opts.schema)}.inbox`;
  const log = opts.log.child({ component: 'events' });
  const concurrency = opts.concurrency ?? 1;
  const taskList: TaskList = {};
  for (const [task, handler] of Object.entries(opts.handlers)) {
    taskList[task] = deliver(task, handler, inbox, opts.orm, log, opts.inboxKey);
  }
  for (const [task, handler] of Object.entries(opts.jobs ?? {})) {
    if (taskList[task]) throw new Error(`Task ${task} is both an event handler and a job`);
    taskList[task] = jobTask(task, handler, opts.orm, log);
  }
  const tasks = Object.keys(taskList);
  if (tasks.length === 0) throw new Error('startEventWorker needs at least one handler or job');
  const laneList: TaskList = {};
  for (const task of opts.lane ?? []) {
    if (!taskList[task]) throw new Error(`Lane task ${task} has no handler`);
    laneList[task] = taskList[task];
    delete taskList[task];
  }
  const laned = Object.keys(laneList).length > 0;

  // Our pool, shared with graphile-worker, so the stale-lock sweep needs no connection of its own.
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: concurrency + 2 + (laned ? 1 : 0),
  });
  pool.on('error', (err) => log.error({ err: err.message }, 'event worker pool error'));
  const sweeper = staleLockSweeper(pool, tasks, opts.staleLockAfterMs ?? 600_000, log);
  try {
    await sweeper.sweep();
    const start = (list: TaskList, n: number) =>
      run(
        {
          pgPool: pool,
          taskList: list,
          concurrency: n,
          noHandleSignals: true,
          pollInterval: opts.pollInterval ?? 2000,
          logger: graphileLogger(log),
        },
        undefined,
        // No crontab: an empty list stops graphile-worker looking for a file in the working directory.
        [],
      );
    const runners = [
      ...(Object.keys(taskList).length ? [await start(taskList, concurrency)] : []),
      ...(laned ? [await start(laneList, 1)] : []),
    ];
    sweeper.start();
    let running = true;
    const done = Promise.all(runners.map((r) => r.promise))
      .then(() => undefined)
      .finally(() => {
        running = false;
        sweeper.stop();
      });
    done.catch((err: unknown) =>
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'event worker died'),
    );
    log.info({ tasks, concurrency }, 'event worker started');
    return {
      done,
      stop: async () => {
        sweeper.stop();
        try {
          if (running) await Promise.all(runners.map((r) => r.stop()));
        } finally {
          await pool.end();
        }
      },
    };
  } catch (err) {
    sweeper.stop();
    await pool.end();
    throw err;
  }
}

function deliver(
  task: string,
  handler: EventHandler,
  inbox: string,
  orm: MikroORM,
  log: Logger,
  inboxKey: (eventId: string) => string = (id) => id,
): Task {
  return async (payload: unknown, helpers: JobHelpers) => {
    const event = parseEnvelope(payload);
    const meta = {
      task,
      eventId: event.id,
      type: event.type,
      jobId: helpers.job.id,
      attempt: helpers.job.attempts,
    };
    const applied = await orm.em.fork().transactional(async (em) => {
      const claimed = await em.execute<{ event_id: string }[]>(
        `INSERT INTO ${inbox} (consumer, event_id) VALUES (?, ?)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [task, inboxKey(event.id)],
      );
      if (claimed.length === 0) return false;
      await handler(event, em);
      return true;
    });
    if (applied) log.info(meta, 'event applied');
    else log.debug(meta, 'event already applied; skipped');
  };
}
