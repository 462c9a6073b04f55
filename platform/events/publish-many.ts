import type { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/bound.js';
import type { JsonValue } from './envelope.js';
import { checkedEvent, type NewEvent, type PublishOptions } from './publish.js';
import { WORKER_SCHEMA, ident } from './schema-sql.js';

/**
 * `publishEvent` for many events of one write (a bulk import) in two
 * statements whatever their number: every outbox row in one INSERT, every
 * consumer's job in one `add_job` over the rows just inserted. Same rules:
 * inside the writing transaction, idempotent on each event id (a re-publish
 * keeps the first row and enqueues nothing new for it). Consumers are per
 * event type, and may depend on its data.
 */
export async function publishMany<T extends JsonValue>(
  em: EntityManager,
  schema: string,
  events: readonly NewEvent<T>[],
  /** Each event's consumers, by its type (and its data, for consumers that take only some). */
  consumersOf: (type: string, data: T) => readonly string[],
  opts: PublishOptions = {},
): Promise<number> {
  if (!events.length) return 0;
  if (!em.isInTransaction())
    throw new Error('publishMany must run inside the transaction that writes the business rows');
  const s = ident(schema);
  const rows = events.map((e) => {
    const checked = checkedEvent(e, consumersOf(e.type, e.data), opts);
    return {
      id: checked.id,
      type: e.type,
      aggregate_id: e.aggregateId,
      payload: e.data,
      occurred_at: checked.occurredAt,
      max_attempts: checked.maxAttempts,
      jobs: checked.jobs,
    };
  });
  const withJobs = rows.some((r) => r.jobs.length > 0);
  const inserted = `INSERT INTO ${s}.outbox (id, type, aggregate_id, payload, occurred_at)
      SELECT r.id, r.type, r.aggregate_id, r.payload, r.occurred_at
        FROM json_to_recordset(?::json) AS r(id uuid, type text, aggregate_id text, payload jsonb, occurred_at timestamptz)
      ON CONFLICT (id) DO NOTHING
      RETURNING id, type, aggregate_id, payload, occurred_at`;
  const json = JSON.stringify(rows);
  if (!withJobs) {
    await executeBound(em, inserted, [json]);
    return rows.length;
  }
  // Jobs only for rows this statement inserted: a re-published event is not delivered twice.
  await executeBound(
    em,
    `WITH ins AS (${inserted}),
     spec AS (SELECT * FROM json_to_recordset(?::json) AS r(id uuid, max_attempts int, jobs json))
     SELECT (${WORKER_SCHEMA}.add_job(j.task,
         json_build_object('id', i.id, 'type', i.type, 'aggregateId', i.aggregate_id,
           'occurredAt', to_char(i.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'data', i.payload),
         queue_name => j.queue,
         max_attempts => spec.max_attempts,
         job_key => j.task || ':' || i.id::text,
         priority => coalesce(j.priority, 0),
         job_key_mode => 'unsafe_dedupe')).id
       FROM ins i JOIN spec ON spec.id = i.id
       CROSS JOIN json_to_recordset(spec.jobs) AS j(task text, queue text, priority int)`,
    [
      json,
      JSON.stringify(rows.map((r) => ({ id: r.id, max_attempts: r.max_attempts, jobs: r.jobs }))),
    ],
  );
  return rows.length;
}
