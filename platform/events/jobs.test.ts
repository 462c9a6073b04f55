import type { MikroORM } from '@mikro-orm/postgresql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEventWorker } from './consumer.js';
import { enqueueJob, type JobInfo } from './jobs.js';
import { createEventsTestDb, waitFor, type EventsTestDb } from './testing/db.js';

interface Row {
  id: string;
  payload: { n: number };
  attempts: number;
  max_attempts: number;
  wait_s: number;
  failed: boolean;
}

describe('plain jobs', () => {
  let t: EventsTestDb;
  let orm: MikroORM;
  const log = pino({ level: 'silent' });
  beforeAll(async () => {
    t = await createEventsTestDb('jobs');
    orm = await t.producer.orm();
  });
  afterAll(async () => {
    await orm.close();
    await t.drop();
  });

  const jobs = async (task: string) =>
    (
      await t.admin.query<Row>(
        `SELECT j.id, j.payload, j.attempts, j.max_attempts,
           extract(epoch FROM j.run_at - now())::float8 AS wait_s,
           (j.last_error IS NOT NULL AND j.locked_at IS NULL) AS failed
         FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id
         WHERE t.identifier = $1`,
        [task],
      )
    ).rows;

  it('enqueue with the caller’s transaction, at run_at, one per key', async () => {
    const em = orm.em.fork();
    await expect(enqueueJob(em, { task: 'j.a', payload: {} })).rejects.toThrow(/transaction/);
    await expect(
      em.transactional(async (tem) => {
        await enqueueJob(tem, { task: 'j.a', payload: { n: 0 } });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await jobs('j.a')).toEqual([]);

    const later = new Date(Date.now() + 3_600_000);
    for (const n of [1, 2])
      await em.transactional((tem) =>
        enqueueJob(tem, {
          task: 'j.a',
          payload: { n },
          runAt: later,
          jobKey: 'k1',
          maxAttempts: 3,
        }),
      );
    const [job, ...more] = await jobs('j.a');
    expect(more).toEqual([]);
    // The second enqueue replaced the waiting job: its payload, the same time.
    expect(job).toMatchObject({ payload: { n: 2 }, attempts: 0, max_attempts: 3 });
    expect(job!.wait_s).toBeGreaterThan(3500);
  });

  it('run with their attempt numbers and are retried when they throw', async () => {
    const runs: JobInfo[] = [];
    await orm.em
      .fork()
      .transactional((tem) =>
        enqueueJob(tem, { task: 'j.flaky', payload: { n: 7 }, maxAttempts: 2 }),
      );
    const worker = await startEventWorker({
      connectionString: t.producer.url,
      schema: 'producer',
      handlers: {},
      jobs: {
        'j.flaky': async (payload, job, em) => {
          expect(payload).toEqual({ n: 7 });
          expect(em.isInTransaction()).toBe(false);
          runs.push(job);
          await em.execute('SELECT 1');
          if (runs.length === 1) throw new Error('first run fails');
        },
      },
      orm,
      pollInterval: 100,
      log,
    });
    try {
      await waitFor(() => Promise.resolve(runs.length === 1), 10_000, 'first run');
      // The handler has thrown; wait until the worker has recorded the failure (and its backoff).
      await waitFor(async () => (await jobs('j.flaky'))[0]?.failed === true, 10_000, 'failure');
      const [retry] = await jobs('j.flaky');
      expect(retry).toMatchObject({ attempts: 1, max_attempts: 2 });
      expect(retry!.wait_s).toBeGreaterThan(0); // backoff before the retry
      await t.admin.query('SELECT graphile_worker.reschedule_jobs(ARRAY[$1::bigint], now())', [
        retry!.id,
      ]);
      await waitFor(async () => (await jobs('j.flaky')).length === 0, 10_000, 'retry');
    } finally {
      await worker.stop();
    }
    expect(runs.map((r) => [r.attempts, r.maxAttempts])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});
