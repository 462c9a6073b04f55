import { Migration } from '@mikro-orm/migrations';
import { ensureKeyTableSql } from '../../../platform/crypto/key-table.js';
import { idempotencySql } from '../../../platform/db/idempotency.js';
import { outboxSql } from '../../../platform/events/schema-sql.js';

const KINDS = `'charge', 'payment', 'refund', 'adjustment-writeoff', 'adjustment-correction', 'insurance-payment', 'reversal'`;
const CURRENCY = `char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$')`;

/**
 * The append-only ledger (its immutability and reversal rules enforced by
 * triggers, so no code path can bend them), payments, charges created once
 * per appointment and code, idempotency keys, outbox/inbox and data keys.
 */
export class Migration20261126200000Init extends Migration {
  override up(): void {
    this.addSql(ensureKeyTableSql('billing'));
    this.addSql(outboxSql('billing'));
    this.addSql(idempotencySql('billing'));
    this.addSql(`
      CREATE TABLE ledger_entry (
        id uuid PRIMARY KEY,
        account_patient_id uuid NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
        currency ${CURRENCY},
        kind text NOT NULL CHECK (kind IN (${KINDS})),
        cause_type text NOT NULL CHECK (cause_type IN ('appointment', 'claim', 'payment', 'user')),
        cause_id text NOT NULL CHECK (cause_id <> ''),
        reverses_entry_id uuid UNIQUE REFERENCES ledger_entry (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CHECK ((kind = 'reversal') = (reverses_entry_id IS NOT NULL)),
        CHECK (kind NOT IN ('charge', 'refund') OR amount_minor > 0),
        CHECK (kind NOT IN ('payment', 'insurance-payment', 'adjustment-writeoff') OR amount_minor < 0)
      )`);
    this.addSql(
      'CREATE INDEX ledger_entry_account_idx ON ledger_entry (account_patient_id, currency, created_at)',
    );
    this.addSql('CREATE INDEX ledger_entry_cause_idx ON ledger_entry (cause_type, cause_id)');
    this.addSql(`
      CREATE FUNCTION ledger_entry_immutable() RETURNS trigger LANGUAGE plpgsql
      SET search_path = billing, pg_temp AS $$
      BEGIN
        RAISE EXCEPTION 'ledger entries are immutable: post a reversal instead'
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    this.addSql(`
      CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE OR DELETE ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_immutable()`);
    this.addSql(`
      CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_entry_immutable()`);
    // A reversal must mirror its original exactly; checked in the database so no writer can skew it.
    this.addSql(`
      CREATE FUNCTION ledger_entry_check_reversal() RETURNS trigger LANGUAGE plpgsql
      SET search_path = billing, pg_temp AS $$
      DECLARE o ledger_entry;
      BEGIN
        IF NEW.reverses_entry_id IS NULL THEN RETURN NEW; END IF;
        SELECT * INTO o FROM ledger_entry WHERE id = NEW.reverses_entry_id;
        IF o.kind = 'reversal' OR o.account_patient_id <> NEW.account_patient_id
           OR o.currency <> NEW.currency OR o.amount_minor <> -NEW.amount_minor THEN
          RAISE EXCEPTION 'a reversal mirrors a non-reversal entry of its account'
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    this.addSql(`
      CREATE TRIGGER ledger_entry_reversal BEFORE INSERT ON ledger_entry
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_reversal()`);
    this.addSql(`
      CREATE TABLE payment (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        source text NOT NULL CHECK (source IN ('patient', 'payer')),
        payer_id text,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency ${CURRENCY},
        idempotency_key text NOT NULL,
        ledger_entry_id uuid NOT NULL UNIQUE REFERENCES ledger_entry (id) DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CHECK ((source = 'payer') = (payer_id IS NOT NULL)),
        UNIQUE (created_by, idempotency_key)
      )`);
    this.addSql('CREATE INDEX payment_patient_idx ON payment (patient_id, created_at DESC)');
    this.addSql(`
      CREATE TABLE charge (
        id uuid PRIMARY KEY,
        appointment_id uuid NOT NULL,
        patient_id uuid NOT NULL,
        code text NOT NULL CHECK (code ~ '^[A-Z][0-9]{4}$'),
        units integer NOT NULL CHECK (units BETWEEN 1 AND 999),
        unit_fee_minor bigint NOT NULL CHECK (unit_fee_minor > 0),
        amount_minor bigint NOT NULL,
        currency ${CURRENCY},
        ledger_entry_id uuid NOT NULL UNIQUE REFERENCES ledger_entry (id) DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        UNIQUE (appointment_id, code),
        CHECK (amount_minor = unit_fee_minor * units)
      )`);
    this.addSql('CREATE INDEX charge_patient_idx ON charge (patient_id, created_at DESC)');
  }
}
