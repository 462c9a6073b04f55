import { Migration } from '@mikro-orm/migrations';

/**
 * Patient notifications (confirmation and reminder records: ids and times
 * only, no PHI), partner webhook subscriptions (secret encrypted, bound to
 * its row) and their delivery log.
 */
export class Migration20261126110000Notifications extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        appointment_id uuid NOT NULL REFERENCES appointment (id),
        kind text NOT NULL CHECK (kind IN ('confirmation', 'reminder')),
        channel text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
        due_at timestamptz NOT NULL,
        sent_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX notification_appointment_idx ON notification (appointment_id, kind)');
    this.addSql('CREATE INDEX notification_patient_idx ON notification (patient_id, created_at)');
    this.addSql(`
      CREATE TABLE webhook_subscription (
        id uuid PRIMARY KEY,
        client_id text NOT NULL,
        patient_id text,
        url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2048),
        secret text NOT NULL,
        event_types jsonb NOT NULL CHECK (jsonb_typeof(event_types) = 'array'),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX webhook_subscription_client_idx ON webhook_subscription (client_id)');
    this.addSql(`
      CREATE TABLE webhook_delivery (
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
      )`);
    this.addSql(
      'CREATE INDEX webhook_delivery_page_idx ON webhook_delivery (subscription_id, created_at DESC, id DESC)',
    );
  }
}
