import type { StatementBatch } from '../db/statement.js';
import type { JsonValue } from './envelope.js';
import { checkedEvent, type NewEvent, type PublishOptions } from './publish.js';
import { WORKER_SCHEMA, ident } from './schema-sql.js';

/**
 * `publishEvent` as parts of the caller's combined statement (`StatementBatch`):
 * the outbox row and one graphile-worker job per consumer task go out with
 * the business rows in one round trip, and commit or vanish with them. Same
 * rules: idempotent on the event id (a re-publish enqueues the envelope first
 * stored, with job key `<task>:<id>` in `unsafe_dedupe` mode). Returns the
 * name of the part whose one row holds the stored `envelope`.
 */
export function publishParts<T extends JsonValue>(
  batch: StatementBatch,
  schema: string,
  event: NewEvent<T>,
  consumers: readonly string[],
  opts: PublishOptions = {},
): string {
  const { id, occurredAt, maxAttempts, jobs } = checkedEvent(event, consumers, opts);
  const s = ident(schema);
  const inserted = batch.add({
    sql: `INSERT INTO ${s}.outbox (id, type, aggregate_id, payload, occurred_at)
     VALUES (?, ?, ?, ?::jsonb, ?::timestamptz)
     ON CONFLICT (id) DO NOTHING RETURNING id, type, aggregate_id, payload, occurred_at`,
    params: [id, event.type, event.aggregateId, JSON.stringify(event.data), occurredAt],
    rows: true,
  });
  // Milliseconds in, milliseconds out: the stored instant reads back as the same ISO string.
  const envelope = batch.add({
    sql: `SELECT json_build_object('id', r.id, 'type', r.type, 'aggregateId', r.aggregate_id,
       'occurredAt', to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
       'data', r.payload) AS envelope
     FROM (SELECT id, type, aggregate_id, payload, occurred_at FROM ${inserted}
           UNION ALL
           SELECT id, type, aggregate_id, payload, occurred_at FROM ${s}.outbox
            WHERE id = ?::uuid AND NOT EXISTS (SELECT 1 FROM ${inserted})) r`,
    params: [id],
    rows: true,
  });
  if (jobs.length > 0)
    batch.add({
      sql: `SELECT (${WORKER_SCHEMA}.add_job(j.task, e.envelope,
         queue_name => j.queue,
         max_attempts => ?::int,
         job_key => j.task || ':' || ?::text,
         priority => coalesce(j.priority, 0),
         job_key_mode => 'unsafe_dedupe')).id AS job
       FROM ${envelope} e CROSS JOIN json_to_recordset(?::json) AS j(task text, queue text, priority int)`,
      params: [maxAttempts, id, JSON.stringify(jobs)],
      rows: true,
    });
  return envelope;
}
