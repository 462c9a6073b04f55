import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { MikroORM } from '@mikro-orm/postgresql';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEventWorker } from './consumer.js';
import { publishEvent } from './publish.js';
import { createEventsTestDb, waitFor, type EventsTestDb } from './testing/db.js';

const CHILD = fileURLToPath(new URL('./testing/worker-child.ts', import.meta.url));
const TASK = 'consumer.crash';
const N = 8;
const CONCURRENCY = 3;

/** Starts the worker script; resolves once it polls, and counts the handlers it enters. */
async function startChild(url: string): Promise<{ child: ChildProcess; claimed: () => number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      '@swc-node/register/esm-register',
      CHILD,
      JSON.stringify({
        url,
        schema: 'consumer',
        task: TASK,
        concurrency: CONCURRENCY,
        sleepMs: 1000,
      }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let claimed = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker child exited early (${code})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'ready') resolve();
      if (line.startsWith('claimed ')) claimed += 1;
    });
  });
  return { child, claimed: () => claimed };
}

describe('a consumer killed mid-delivery', () => {
  let t: EventsTestDb;
  let producer: MikroORM;
  let consumer: MikroORM;

  beforeAll(async () => {
    t = await createEventsTestDb('events_crash');
    producer = await t.producer.orm();
    consumer = await t.consumer.orm();
  });
  afterAll(async () => {
    await producer.close();
    await consumer.close();
    await t.drop();
  });

  const count = async (sql: string): Promise<number> =>
    (await t.admin.query<{ n: number }>(sql)).rows[0]!.n;

  it('still applies each event exactly once after a restart', async () => {
    const ids: string[] = [];
    await producer.em.fork().transactional(async (em) => {
      for (let i = 0; i < N; i++) {
        const e = await publishEvent(
          em,
          'producer',
          { type: 'slot.released', aggregateId: `slot-${i}`, data: { n: i } },
          [TASK],
        );
        ids.push(e.id);
      }
    });

    const { child, claimed } = await startChild(t.consumer.url);
    // The first batch has committed and the second is inside its transactions, asleep.
    await waitFor(
      () => Promise.resolve(claimed() > CONCURRENCY),
      20_000,
      'a second batch of deliveries',
    );
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    // What the dead worker left: its open transactions rolled back, their jobs still locked.
    await waitFor(
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE usename = '${t.consumer.role}' AND state LIKE 'idle in transaction%'`,
        )) === 0,
      10_000,
      "the dead worker's transactions to roll back",
    );
    const appliedBefore = await count('SELECT count(*)::int AS n FROM consumer.effect');
    const locked = await count(
      'SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE locked_at IS NOT NULL',
    );
    expect(appliedBefore).toBeGreaterThan(0);
    expect(appliedBefore).toBeLessThan(N);
    expect(locked).toBeGreaterThan(0);

    // The narrowest window, between the delivery's commit and graphile-worker marking the job
    // done, cannot be hit by timing a kill; set up the state it leaves instead, for one event
    // not yet applied: effect and inbox claim committed, job still locked by the dead worker.
    const { rows: pending } = await t.admin.query<{ event_id: string }>(
      'SELECT id AS event_id FROM producer.outbox WHERE id NOT IN (SELECT event_id FROM consumer.effect) LIMIT 1',
    );
    const window = pending[0]!.event_id;
    await t.admin.query('BEGIN');
    await t.admin.query('INSERT INTO consumer.effect (event_id, task) VALUES ($1, $2)', [
      window,
      TASK,
    ]);
    await t.admin.query('INSERT INTO consumer.inbox (consumer, event_id) VALUES ($1, $2)', [
      TASK,
      window,
    ]);
    await t.admin.query(
      `UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'worker-dead'
       WHERE key = $1 || ':' || $2`,
      [TASK, window],
    );
    await t.admin.query('COMMIT');

    // The replacement releases the dead worker's locks once they are a second old (see
    // staleLockAfterMs in consumer.ts); production leaves the default, minutes.
    const worker = await startEventWorker({
      connectionString: t.consumer.url,
      schema: 'consumer',
      orm: consumer,
      concurrency: CONCURRENCY,
      pollInterval: 100,
      staleLockAfterMs: 1000,
      log: pino({ level: 'silent' }),
      handlers: {
        [TASK]: async (e, em) => {
          await em.execute('INSERT INTO consumer.effect (event_id, task) VALUES (?, ?)', [
            e.id,
            TASK,
          ]);
        },
      },
    });
    try {
      await waitFor(
        async () => (await count('SELECT count(*)::int AS n FROM graphile_worker.jobs')) === 0,
        20_000,
        'redelivery',
      );
    } finally {
      await worker.stop();
    }

    const { rows } = await t.admin.query<{ event_id: string; n: number }>(
      'SELECT event_id, count(*)::int AS n FROM consumer.effect GROUP BY event_id',
    );
    expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(await count('SELECT count(*)::int AS n FROM consumer.inbox')).toBe(N);
  });
});
