import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { WORKER_SCHEMA } from '../../events/schema-sql.js';

/**
 * Freshness of the access-fact projections. The producer (the patient
 * subgraph) enqueues a heartbeat every `ACCESS_FACTS_HEARTBEAT_MS` into each
 * consumer's access-fact queue, the same serial, high-priority queue its
 * consents and care-team changes travel in, stamped with the database clock.
 * A consumer applying it records that time: every fact enqueued before it
 * has been applied. Reads compare the database clock with it and refuse PHI
 * (ACCESS_FACTS_STALE) when the gap exceeds `ACCESS_FACTS_MAX_LAG_MS`.
 */

/** `ACCESS_FACTS_MAX_LAG_MS`'s default: the bound a subgraph refuses PHI beyond. */
export const DEFAULT_MAX_LAG_MS = 5000;

/** Who publishes the access facts (the watermark's key). */
export const ACCESS_FACTS_PRODUCER = 'patient';
/** The job priority of access facts and heartbeats (graphile-worker runs lower numbers first). */
export const ACCESS_FACTS_PRIORITY = -10;
/** `<subgraph>:access-facts` + this is the consumer's heartbeat task. */
export const WATERMARK_TASK_SUFFIX = '-watermark';

/** Where an access-fact consumer task's jobs queue: one serial queue per consumer, ahead of other work. */
export function accessFactsLane(task: string): { queue: string; priority: number } {
  return { queue: task, priority: ACCESS_FACTS_PRIORITY };
}

/** What a heartbeat is sent through: a `pg` pool or client (its own connection). */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/**
 * Enqueues one heartbeat per consumer task (`<subgraph>:access-facts`): the
 * consumer's waiting heartbeat is replaced (never more than one waits),
 * stamped with the database's clock.
 */
export async function publishWatermark(db: Queryable, consumers: readonly string[]): Promise<void> {
  if (!consumers.length) return;
  await db.query(
    `SELECT ${WORKER_SCHEMA}.add_job(task || $1::text,
       json_build_object('producer', $2::text, 'producedAt', now()),
       queue_name => task,
       max_attempts => 3,
       job_key => task || $1::text,
       priority => $3::int,
       job_key_mode => 'replace')
     FROM json_array_elements_text($4::json) AS task`,
    [
      WATERMARK_TASK_SUFFIX,
      ACCESS_FACTS_PRODUCER,
      ACCESS_FACTS_PRIORITY,
      JSON.stringify([...new Set(consumers)]),
    ],
  );
}

const heartbeat = z.object({ producer: z.string().min(1).max(64), producedAt: z.string() });

/** The consumer's heartbeat job: records the newest producer time applied. */
export async function applyWatermark(payload: unknown, _job: unknown, em: EntityManager) {
  const { producer, producedAt } = heartbeat.parse(payload);
  await em.execute(
    `INSERT INTO access_facts_watermark (producer, produced_at, applied_at)
     VALUES (?, ?::timestamptz, clock_timestamp())
     ON CONFLICT (producer) DO UPDATE
       SET produced_at = GREATEST(access_facts_watermark.produced_at, EXCLUDED.produced_at),
           applied_at = EXCLUDED.applied_at`,
    [producer, producedAt],
  );
}

/** A running heartbeat. */
export interface Heartbeat {
  stop(): Promise<void>;
}

/**
 * The producer's heartbeat: a watermark for every consumer now and every
 * `everyMs` after, on a connection of its own (so it never competes with, or
 * is counted among, the service's request statements). A failed beat is
 * logged; the consumers' reads go stale (and refuse) rather than trust old
 * facts.
 */
export function startAccessFactsHeartbeat(opts: {
  connectionString: string;
  consumers: readonly string[];
  everyMs: number;
  log: Logger;
}): Heartbeat {
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: 1 });
  pool.on('error', (err) => opts.log.warn({ err: err.message }, 'heartbeat connection error'));
  let beating: Promise<void> | undefined;
  const beat = () => {
    beating ??= publishWatermark(pool, opts.consumers)
      .catch((err: unknown) =>
        opts.log.warn({ err: (err as Error).message }, 'access-facts heartbeat failed'),
      )
      .finally(() => (beating = undefined));
  };
  beat();
  const timer = setInterval(beat, opts.everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await beating;
      await pool.end();
    },
  };
}
