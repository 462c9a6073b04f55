import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { JobInfo } from './jobs.js';
import { recurringJobHandler, scheduleRecurring, type RecurringJob } from './recurring-job.js';
import { createEventsTestDb, type EventsTestDb } from './testing/db.js';

describe('recurring jobs', () => {
  let t: EventsTestDb;
  let orm: MikroORM;
  beforeAll(async () => {
    t = await createEventsTestDb('recurring');
    orm = await t.producer.orm();
  });
  afterAll(async () => {
    await orm.close();
    await t.drop();
  });

  const HOUR = 3_600_000;
  const job: RecurringJob = { task: 'r.every-hour', next: (at) => new Date(at.getTime() + HOUR) };
  const waiting = async () =>
    (
      await t.admin.query<{ run_at: Date; max_attempts: number }>(
        `SELECT j.run_at, j.max_attempts FROM graphile_worker._private_jobs j
           JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = $1`,
        [job.task],
      )
    ).rows;
  const info = {} as JobInfo;

  it('is scheduled once: a second start keeps the waiting run’s time', async () => {
    const first = new Date(Date.now() + 60_000);
    await orm.em.fork().transactional((em) => scheduleRecurring(em, job, first));
    await orm.em
      .fork()
      .transactional((em) => scheduleRecurring(em, job, new Date(first.getTime() + 5 * HOUR)));
    const rows = await waiting();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.run_at.getTime()).toBe(first.getTime() + HOUR);
    expect(rows[0]!.max_attempts).toBe(5);
  });

  it('a run commits with its next one; a failed run schedules nothing and rolls back', async () => {
    const seen: number[] = [];
    let writes = 0;
    const ok = recurringJobHandler(
      job,
      async (tx) => {
        await tx.execute('SELECT 1');
        writes++;
        return writes;
      },
      (r) => seen.push(r),
    );
    const before = Date.now();
    await ok({}, info, orm.em.fork());
    expect(seen).toEqual([1]);
    const [next] = await waiting();
    expect(next!.run_at.getTime()).toBeGreaterThanOrEqual(before + HOUR - 1000);

    await t.admin.query(
      `DELETE FROM graphile_worker._private_jobs j USING graphile_worker._private_tasks t
        WHERE t.id = j.task_id AND t.identifier = $1`,
      [job.task],
    );
    const failing = recurringJobHandler(
      job,
      () => Promise.reject(new Error('the run failed')),
      () => seen.push(-1),
    );
    await expect(failing({}, info, orm.em.fork())).rejects.toThrow('the run failed');
    expect(seen).toEqual([1]);
    expect(await waiting()).toEqual([]);
  });
});
