import type { EntityManager } from '@mikro-orm/postgresql';
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

/**
 * Enqueues one heartbeat per consumer task (`<subgraph>:access-facts`) in
 * `em`'s transaction or on its own: the consumer's waiting heartbeat is
 * replaced (never more than one waits), stamped with the database's clock.
 */
export async function publishWatermark(
  em: EntityManager,
  consumers: readonly string[],
): Promise<void> {
  if (!consumers.length) return;
  await em.execute(
    `SELECT ${WORKER_SCHEMA}.add_job(task || ?::text,
       json_build_object('producer', ?::text, 'producedAt', now()),
       queue_name => task,
       max_attempts => 3,
       job_key => task || ?::text,
       priority => ?::int,
       job_key_mode => 'replace')
     FROM json_array_elements_text(?::json) AS task`,
    [
      WATERMARK_TASK_SUFFIX,
      ACCESS_FACTS_PRODUCER,
      WATERMARK_TASK_SUFFIX,
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
  stop(): void;
}

/**
 * The producer's heartbeat: a watermark for every consumer now and every
 * `everyMs` after, each on a fresh fork. A failed beat is logged; the
 * consumers' reads go stale (and refuse) rather than trust old facts.
 */
export function startAccessFactsHeartbeat(opts: {
  em: () => EntityManager;
  consumers: readonly string[];
  everyMs: number;
  log: Logger;
}): Heartbeat {
  let busy = false;
  const beat = async () => {
    if (busy) return;
    busy = true;
    try {
      await publishWatermark(opts.em(), opts.consumers);
    } catch (err) {
      opts.log.warn({ err: (err as Error).message }, 'access-facts heartbeat failed');
    } finally {
      busy = false;
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), opts.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
