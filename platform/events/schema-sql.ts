/** Where graphile-worker keeps its queue (its default schema). */
export const WORKER_SCHEMA = 'graphile_worker';

/** Quotes a schema or role name after checking it is a plain lower-case identifier. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new TypeError(`Not a plain identifier: ${name}`);
  return `"${name}"`;
}

/**
 * DDL a subgraph's own migration runs (as its role, in its schema) to take
 * part in events: the outbox it publishes from and the inbox of event ids its
 * consumers have applied. Idempotent.
 */
export function outboxSql(schema: string): string {
  const s = ident(schema);
  return `
CREATE TABLE IF NOT EXISTS ${s}.outbox (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS outbox_occurred_at ON ${s}.outbox (occurred_at);
CREATE TABLE IF NOT EXISTS ${s}.inbox (
  consumer text NOT NULL,
  event_id uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);`;
}
