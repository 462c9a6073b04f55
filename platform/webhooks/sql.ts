/**
 * DDL of a subgraph's webhook tables (its migration runs it in its own
 * schema; the subgraph's outbox must exist, deliveries read events from it).
 * The same tables the first subgraph to offer webhooks created in its own migration.
 */
export const webhookSql: readonly string[] = [
  `CREATE TABLE webhook_subscription (
    id uuid PRIMARY KEY,
    client_id text NOT NULL,
    patient_id text,
    url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2048),
    secret text NOT NULL,
    event_types jsonb NOT NULL CHECK (jsonb_typeof(event_types) = 'array'),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  'CREATE INDEX webhook_subscription_client_idx ON webhook_subscription (client_id)',
  `CREATE TABLE webhook_delivery (
    id uuid PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES webhook_subscription (id),
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    last_status integer,
    last_error text CHECK (length(last_error) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    UNIQUE (subscription_id, event_id)
  )`,
  'CREATE INDEX webhook_delivery_page_idx ON webhook_delivery (subscription_id, created_at DESC, id DESC)',
];

/**
 * What `webhookSql` gained since (run after it; `webhookMigration` for a
 * subgraph that already has the tables): each subscription keeps the actor
 * it discloses to (its subscriber's client, organisation, roles, scopes,
 * patient context and purpose), and a delivery refused at an attempt or a
 * replay is `dropped`.
 */
export const webhookActorSql: readonly string[] = [
  'ALTER TABLE webhook_subscription ADD COLUMN actor jsonb',
  'ALTER TABLE webhook_delivery DROP CONSTRAINT webhook_delivery_status_check',
  `ALTER TABLE webhook_delivery ADD CONSTRAINT webhook_delivery_status_check
     CHECK (status IN ('pending', 'delivered', 'failed', 'dropped'))`,
];
