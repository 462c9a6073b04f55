import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

import { isUuid, type EventEnvelope, type JsonValue } from './envelope.js';
import { WORKER_SCHEMA, ident } from './schema-sql.js';

/** What a producer states; the id and time default to fresh ones. */
export interface NewEvent<T extends JsonValue> {
  type: string;
  aggregateId: string;
  /** Ids and codes only, never PHI values (see `EventEnvelope`). */
  data: T;
  /** Give a deterministic UUID to make publishing idempotent across retries. */
  id?: string;
  occurredAt?: Date | string;
}

/** A consumer's own serial queue and priority (graphile-worker runs lower numbers first). */
export interface JobLane {
  queue: string;
  priority: number;
}

export interface PublishOptions {
  /** Deliveries per consumer before the job is left failed for an operator (default 25). */
  maxAttempts?: number;
  /**
   * The queue and priority of a consumer task's job (default: none, priority
   * 0): jobs of one queue run one at a time in order, ahead of lower
   * priorities.
   */
  lane?: (task: string) => JobLane | undefined;
}

interface OutboxRow {
  id: string;
  type: string;
  aggregate_id: string;
  payload: JsonValue;
  occurred_at: string;
}

const TASK = /^[A-Za-z0-9_.:-]{1,128}$/;

/** An event's id, time, attempts and jobs (one per consumer task), checked; throws on anything malformed. */
export function checkedEvent(
  event: NewEvent<JsonValue>,
  consumers: readonly string[],
  opts: PublishOptions,
): { id: string; occurredAt: string; maxAttempts: number; jobs: JobRow[] } {
  const id = event.id ?? randomUUID();
  if (!isUuid(id)) throw new TypeError('Event id must be a UUID');
  if (!event.type || !event.aggregateId)
    throw new TypeError('Event type and aggregateId are required');
  for (const c of consumers) if (!TASK.test(c)) throw new TypeError(`Invalid consumer task ${c}`);
  const maxAttempts = opts.maxAttempts ?? 25;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 32767) {
    throw new RangeError('maxAttempts must be an integer from 1 to 32767');
  }
  const occurredAt = new Date(event.occurredAt ?? Date.now()).toISOString();
  const jobs = [...new Set(consumers)].map((task) => ({ task, ...opts.lane?.(task) }));
  return { id, occurredAt, maxAttempts, jobs };
}

export interface JobRow {
  task: string;
  queue?: string;
  priority?: number;
}

/**
 * Publishes an event inside the caller's MikroORM transaction (the `em` handed
 * to `em.transactional`): writes the outbox row and enqueues one
 * graphile-worker job per consumer task identifier. Both commit or roll back
 * with the caller's business rows, so an event is delivered if and only if its
 * transaction commits.
 *
 * Idempotent on the event id: publishing an id again keeps the first outbox
 * row and returns its envelope, and the job key `<task>:<id>` with
 * `unsafe_dedupe` adds no second job while one is pending or running (events
 * are immutable, so a re-publish carries no news worth a second run; graphile
 * worker's default `replace` would start a duplicate beside a running job). A
 * job that already completed is gone from the queue, so a re-publish then
 * delivers again and the consumer's inbox absorbs it.
 */
export async function publishEvent<T extends JsonValue>(
  em: EntityManager,
  schema: string,
  event: NewEvent<T>,
  consumers: readonly string[],
  opts: PublishOptions = {},
): Promise<EventEnvelope<T>> {
  if (!em.isInTransaction()) {
    throw new Error('publishEvent must run inside the transaction that writes the business rows');
  }
  const { id, occurredAt, maxAttempts, jobs } = checkedEvent(event, consumers, opts);
  const s = ident(schema);

  // Milliseconds in, milliseconds out: the stored instant reads back as the same ISO string.
  const columns = `id, type, aggregate_id, payload,
    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at`;
  let [row] = await em.execute<OutboxRow[]>(
    `INSERT INTO ${s}.outbox (id, type, aggregate_id, payload, occurred_at)
     VALUES (?, ?, ?, ?::jsonb, ?::timestamptz)
     ON CONFLICT (id) DO NOTHING RETURNING ${columns}`,
    [id, event.type, event.aggregateId, JSON.stringify(event.data), occurredAt],
  );
  row ??= (
    await em.execute<OutboxRow[]>(`SELECT ${columns} FROM ${s}.outbox WHERE id = ?`, [id])
  )[0];
  if (!row) throw new Error('Outbox row vanished while publishing');
  const envelope: EventEnvelope<T> = {
    id: row.id,
    type: row.type,
    aggregateId: row.aggregate_id,
    occurredAt: row.occurred_at,
    // A re-publish returns what was stored first, whatever this call passed.
    data: row.payload as T,
  };

  if (jobs.length > 0) {
    // One round trip for every consumer; the list travels as JSON because knex
    // would expand a JS array binding into a list of placeholders.
    await em.execute(
      `SELECT ${WORKER_SCHEMA}.add_job(j.task, ?::json,
         queue_name => j.queue,
         max_attempts => ?::int,
         job_key => j.task || ':' || ?::text,
         priority => coalesce(j.priority, 0),
         job_key_mode => 'unsafe_dedupe')
       FROM json_to_recordset(?::json) AS j(task text, queue text, priority int)`,
      [JSON.stringify(envelope), maxAttempts, envelope.id, JSON.stringify(jobs)],
    );
  }
  return envelope;
}
