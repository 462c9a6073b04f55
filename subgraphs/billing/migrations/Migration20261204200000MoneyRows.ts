import { Migration } from '@mikro-orm/migrations';
import { MONEY_TABLES } from './money-tables.js';

const CURRENCY = `char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$')`;
const CLAIM_STATUS = `'draft', 'submitted', 'paid', 'partially-paid', 'denied', 'closed'`;

/**
 * Every money table becomes append-only, as the ledger is: a state change is
 * a new row, never an UPDATE.
 *
 * - A claim's header (`claim_record`, the old `claim` renamed) never changes;
 *   each status is a `claim_state` row (version 1 the draft), and the view
 *   `claim` shows each claim at its newest state, with the columns it had.
 * - Payments say how the money came (`method`): staff-entered cash, cheque or
 *   card terminal, or a payment provider's confirmed intent (`intent_id`).
 * - A payment intent (`payment_intent`) is created pending; its provider's
 *   callbacks and its expiry are `payment_intent_event` rows, at most one of
 *   them final, and at most one payment per intent.
 * - A trigger refuses UPDATE, DELETE and TRUNCATE on every money table; the
 *   stack then hands them to billing's NOLOGIN guard role (`spec.ts`).
 */
export class Migration20261204200000MoneyRows extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE claim RENAME TO claim_record');
    this.addSql(`
      CREATE TABLE claim_state (
        claim_id uuid NOT NULL REFERENCES claim_record (id),
        version integer NOT NULL CHECK (version >= 1),
        status text NOT NULL CHECK (status IN (${CLAIM_STATUS})),
        outcome text CHECK (outcome IN ('paid', 'partially-paid', 'denied')),
        allowed_minor bigint CHECK (allowed_minor >= 0),
        paid_minor bigint CHECK (paid_minor >= 0 AND paid_minor <= allowed_minor),
        denial_reason text,
        payer_reference text,
        submitted_at timestamptz,
        adjudicated_at timestamptz,
        closed_at timestamptz,
        changed_at timestamptz NOT NULL DEFAULT now(),
        changed_by text NOT NULL,
        PRIMARY KEY (claim_id, version),
        CHECK ((outcome = 'denied') = (denial_reason IS NOT NULL)),
        CHECK (outcome IS NULL OR (allowed_minor IS NOT NULL AND paid_minor IS NOT NULL))
      )`);
    this.addSql(`
      INSERT INTO claim_state (claim_id, version, status, outcome, allowed_minor, paid_minor,
        denial_reason, payer_reference, submitted_at, adjudicated_at, closed_at, changed_at, changed_by)
      SELECT c.id, c.version, c.status, c.outcome, c.allowed_minor, c.paid_minor, c.denial_reason,
        c.payer_reference, c.submitted_at, c.adjudicated_at, c.closed_at, c.updated_at,
        COALESCE((SELECT v.changed_by FROM claim_version v
                   WHERE v.claim_id = c.id AND v.version = c.version), c.created_by)
      FROM claim_record c`);
    this.addSql(`ALTER TABLE claim_record DROP COLUMN status, DROP COLUMN outcome,
      DROP COLUMN allowed_minor, DROP COLUMN paid_minor, DROP COLUMN denial_reason,
      DROP COLUMN payer_reference, DROP COLUMN submitted_at, DROP COLUMN adjudicated_at,
      DROP COLUMN closed_at, DROP COLUMN version, DROP COLUMN updated_at`);
    this.addSql('CREATE INDEX claim_record_payer_idx ON claim_record (payer_id, created_at DESC)');
    this.addSql(`
      CREATE VIEW claim AS
      SELECT c.id, c.patient_id, c.coverage_id, c.payer_id, c.appointment_id, s.status, s.outcome,
        c.total_minor, s.allowed_minor, s.paid_minor, c.currency, s.denial_reason,
        s.payer_reference, s.submitted_at, s.adjudicated_at, s.closed_at, s.version, c.created_at,
        c.created_by, s.changed_at AS updated_at
      FROM claim_record c
      CROSS JOIN LATERAL (SELECT * FROM claim_state x WHERE x.claim_id = c.id
                          ORDER BY x.version DESC LIMIT 1) s`);

    this.addSql(`
      CREATE TABLE payment_intent (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency ${CURRENCY},
        provider text NOT NULL CHECK (provider ~ '^[a-z][a-z0-9-]{0,31}$'),
        provider_ref text NOT NULL CHECK (provider_ref ~ '^[A-Za-z0-9_-]{1,128}$'),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        client_id text NOT NULL,
        UNIQUE (provider, provider_ref)
      )`);
    this.addSql(
      'CREATE INDEX payment_intent_patient_idx ON payment_intent (patient_id, created_at DESC)',
    );
    this.addSql(`
      CREATE TABLE payment_intent_event (
        id uuid PRIMARY KEY,
        intent_id uuid NOT NULL REFERENCES payment_intent (id),
        status text NOT NULL CHECK (status IN ('succeeded', 'declined', 'failed', 'expired')),
        provider_event_id text CHECK (provider_event_id ~ '^[A-Za-z0-9_-]{1,128}$'),
        decline_code text CHECK (decline_code ~ '^[a-z_]{1,64}$'),
        payment_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        UNIQUE (provider_event_id),
        CHECK ((status = 'succeeded') = (payment_id IS NOT NULL))
      )`);
    // One final state per intent, whatever the order or number of callbacks.
    this.addSql(
      'CREATE UNIQUE INDEX payment_intent_event_final ON payment_intent_event (intent_id)',
    );
    this.addSql(`ALTER TABLE payment ADD COLUMN method text NOT NULL DEFAULT 'unrecorded'
      CHECK (method IN ('cash', 'cheque', 'card-terminal', 'provider', 'unrecorded'))`);
    this.addSql('ALTER TABLE payment ALTER COLUMN method DROP DEFAULT');
    this.addSql(
      'ALTER TABLE payment ADD COLUMN intent_id uuid UNIQUE REFERENCES payment_intent (id)',
    );
    this.addSql(`ALTER TABLE payment ADD CONSTRAINT payment_method_intent
      CHECK ((method = 'provider') = (intent_id IS NOT NULL))`);
    this.addSql(`ALTER TABLE payment_intent_event ADD CONSTRAINT payment_intent_event_payment
      FOREIGN KEY (payment_id) REFERENCES payment (id) DEFERRABLE INITIALLY DEFERRED`);

    this.addSql(`
      CREATE FUNCTION money_row_immutable() RETURNS trigger LANGUAGE plpgsql
      SET search_path = billing, pg_temp AS $$
      BEGIN
        RAISE EXCEPTION '% rows are immutable: record a change as a new row', TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    // The view too, so that changing a claim through it is refused like its tables (42501).
    this.addSql(`CREATE TRIGGER claim_no_update INSTEAD OF UPDATE OR DELETE ON claim
      FOR EACH ROW EXECUTE FUNCTION money_row_immutable()`);
    for (const table of MONEY_TABLES) {
      this.addSql(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION money_row_immutable()`);
      this.addSql(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION money_row_immutable()`);
    }
  }
}
