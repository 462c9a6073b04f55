import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEventWorker, type EventHandler } from './consumer.js';
import type { EventEnvelope } from './envelope.js';
import { publishEvent, type NewEvent, type PublishOptions } from './publish.js';
import { createEventsTestDb, waitFor, type EventsTestDb } from './testing/db.js';

interface JobRow {
  id: string;
  attempts: number;
  max_attempts: number;
  locked_at: Date | null;
  last_error: string | null;
  wait_s: number;
}

describe('publishing and consuming events', () => {
  let t: EventsTestDb;
  let producer: MikroORM;
  let consumer: MikroORM;
  const logLines: string[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

  beforeAll(async () => {
    t = await createEventsTestDb('events');
    producer = await t.producer.orm();
    consumer = await t.consumer.orm();
  });
  afterAll(async () => {
    await producer.close();
    await consumer.close();
    await t.drop();
  });

  const event = (
    data: Record<string, string> = { code: 'booked' },
  ): NewEvent<Record<string, string>> => ({
    type: 'appointment.booked',
    aggregateId: `appt-${randomUUID().slice(0, 8)}`,
    data,
  });

  /** Publishes in one producer transaction, beside a business row. */
  const publish = (
    e: NewEvent<Record<string, string>>,
    consumers: string[],
    opts?: PublishOptions,
  ) =>
    producer.em.fork().transactional(async (em) => {
      await em.execute('SELECT 1'); // stands for the business write
      return publishEvent(em, 'producer', e, consumers, opts);
    });

  /** Writes the effect row in the delivery's transaction. */
  const writeEffect =
    (task: string, after?: (event: EventEnvelope) => Promise<void>): EventHandler =>
    async (e, em) => {
      await em.execute('INSERT INTO consumer.effect (event_id, task) VALUES (?, ?)', [e.id, task]);
      await after?.(e);
    };

  const withWorker = async (
    handlers: Record<string, EventHandler>,
    body: () => Promise<void>,
    concurrency = 1,
  ): Promise<void> => {
    const worker = await startEventWorker({
      connectionString: t.consumer.url,
      schema: 'consumer',
      orm: consumer,
      handlers,
      concurrency,
      pollInterval: 100,
      log,
    });
    try {
      await body();
    } finally {
      await worker.stop();
    }
    await expect(worker.done).resolves.toBeUndefined();
  };

  const jobs = async (task: string): Promise<JobRow[]> =>
    (
      await t.admin.query<JobRow>(
        `SELECT id, attempts, max_attempts, locked_at, last_error,
           extract(epoch FROM run_at - now())::float8 AS wait_s
         FROM graphile_worker.jobs WHERE task_identifier = $1`,
        [task],
      )
    ).rows;
  const effectsFor = async (task: string) => (await t.effects()).filter((e) => e.task === task);
  const outbox = async (id: string) =>
    (await t.admin.query<{ id: string }>('SELECT id FROM producer.outbox WHERE id = $1', [id]))
      .rows;
  const drained = (task: string) => async () => (await jobs(task)).length === 0;

  it('applies an event once when the publishing transaction commits', async () => {
    const task = 'consumer.commit';
    const seen: EventEnvelope[] = [];
    const published = await publish(event({ code: 'booked', marker: 'DATA-NOT-LOGGED' }), [task]);
    expect(published).toMatchObject({ type: 'appointment.booked', data: { code: 'booked' } });
    expect(published.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await outbox(published.id)).toHaveLength(1);

    await withWorker({ [task]: writeEffect(task, (e) => Promise.resolve(void seen.push(e))) }, () =>
      waitFor(drained(task), 10_000, 'delivery'),
    );
    expect(await effectsFor(task)).toEqual([{ event_id: published.id, task }]);
    expect(seen).toEqual([published]);
    const { rows: inbox } = await t.admin.query('SELECT consumer, event_id FROM consumer.inbox');
    expect(inbox).toContainEqual({ consumer: task, event_id: published.id });

    const logged = logLines.join('');
    expect(logged).toContain(published.id);
    expect(logged).not.toContain('DATA-NOT-LOGGED');
    expect(logged).not.toContain(published.aggregateId);
  });

  it('neither records nor delivers an event whose transaction rolls back', async () => {
    const task = 'consumer.rollback';
    const lost = event();
    lost.id = randomUUID();
    await expect(
      producer.em.fork().transactional(async (em) => {
        await publishEvent(em, 'producer', lost, [task]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await outbox(lost.id)).toEqual([]);
    expect(await jobs(task)).toEqual([]);

    // A committed event behind it is the barrier: once it is applied, the lost one had its chance.
    const kept = await publish(event(), [task]);
    await withWorker({ [task]: writeEffect(task) }, () =>
      waitFor(drained(task), 10_000, 'barrier'),
    );
    expect(await effectsFor(task)).toEqual([{ event_id: kept.id, task }]);
  });

  it('refuses to publish outside a transaction', async () => {
    await expect(publishEvent(producer.em.fork(), 'producer', event(), ['x'])).rejects.toThrow(
      /inside the transaction/,
    );
  });

  it('applies a re-published event once, whether its job is still queued or already done', async () => {
    const task = 'consumer.republish';
    const first = await publish({ ...event({ code: 'first' }), id: randomUUID() }, [task]);
    const again = await publish({ ...event({ code: 'second' }), id: first.id }, [task]);
    // Still queued: the job key dedupes, and the stored event wins over the second call's data.
    expect(again).toEqual(first);
    expect(await jobs(task)).toHaveLength(1);
    expect(await outbox(first.id)).toHaveLength(1);

    await withWorker({ [task]: writeEffect(task) }, async () => {
      await waitFor(drained(task), 10_000, 'first delivery');
      // Done: the queue forgot the job, so this delivers again and the inbox absorbs it.
      await publish({ ...event(), id: first.id }, [task]);
      expect(await jobs(task)).toHaveLength(1);
      await waitFor(drained(task), 10_000, 'redelivery');
    });
    expect(await effectsFor(task)).toEqual([{ event_id: first.id, task }]);
  });

  it('applies once when two deliveries of one event run at the same time', async () => {
    const task = 'consumer.concurrent';
    const e = await publish(event(), []);
    // At-least-once delivery at its worst: two jobs, no job key, two workers at once.
    for (let i = 0; i < 2; i++)
      await t.admin.query('SELECT graphile_worker.add_job($1, $2::json)', [
        task,
        JSON.stringify(e),
      ]);
    let calls = 0;
    const slow = writeEffect(task, () => new Promise((r) => setTimeout(r, 300)));
    await withWorker(
      {
        [task]: async (ev, em) => {
          calls += 1;
          await slow(ev, em);
        },
      },
      () => waitFor(drained(task), 10_000, 'both deliveries'),
      2,
    );
    expect(await effectsFor(task)).toEqual([{ event_id: e.id, task }]);
    expect(calls).toBe(1);
  });

  it('rolls back a failed delivery with its effects and retries it with backoff', async () => {
    const task = 'consumer.flaky';
    const attempts: number[] = [];
    const e = await publish(event(), [task]);
    const failedAttempt = async (n: number) => {
      await waitFor(
        async () => (await jobs(task)).some((j) => j.attempts === n && j.locked_at === null),
        10_000,
        `failure ${n}`,
      );
      const [job] = await jobs(task);
      expect(job?.last_error).toBe(`flaky ${n}`);
      // graphile-worker's backoff: exp(attempts) seconds.
      expect(job?.wait_s).toBeGreaterThan(Math.exp(n) - 1);
      // An operator's (or a test's) way to skip the wait.
      await t.admin.query(
        'SELECT graphile_worker.reschedule_jobs(ARRAY[$1::bigint], run_at => now())',
        [job?.id],
      );
    };
    await withWorker(
      {
        [task]: writeEffect(task, () => {
          attempts.push(attempts.length + 1);
          return attempts.length <= 2
            ? Promise.reject(new Error(`flaky ${attempts.length}`))
            : Promise.resolve();
        }),
      },
      async () => {
        await failedAttempt(1);
        await failedAttempt(2);
        await waitFor(drained(task), 10_000, 'success');
      },
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(await effectsFor(task)).toEqual([{ event_id: e.id, task }]);
  });

  it('stops after maxAttempts and leaves the job for an operator', async () => {
    const task = 'consumer.poison';
    let calls = 0;
    await publish(event(), [task], { maxAttempts: 1 });
    await withWorker(
      {
        [task]: writeEffect(task, () => {
          calls += 1;
          return Promise.reject(new Error('cannot apply'));
        }),
      },
      async () => {
        await waitFor(async () => (await jobs(task))[0]?.attempts === 1, 10_000, 'failure');
        await new Promise((r) => setTimeout(r, 400));
      },
    );
    expect(calls).toBe(1);
    expect(await jobs(task)).toMatchObject([
      { attempts: 1, max_attempts: 1, last_error: 'cannot apply' },
    ]);
    expect(await effectsFor(task)).toEqual([]);
  });

  it('checks its inputs', async () => {
    await producer.em.fork().transactional(async (em) => {
      await expect(publishEvent(em, 'producer', { ...event(), id: 'nope' }, [])).rejects.toThrow(
        TypeError,
      );
      await expect(publishEvent(em, 'producer; drop', event(), [])).rejects.toThrow(TypeError);
      await expect(publishEvent(em, 'producer', event(), ['bad task!'])).rejects.toThrow(TypeError);
    });
  });
});
