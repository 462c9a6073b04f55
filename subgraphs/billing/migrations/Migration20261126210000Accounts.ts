import { Migration } from '@mikro-orm/migrations';
import { consentProjectionSql } from '../../../platform/authz/access-facts/sql.js';

const CURRENCY = `char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$')`;
const MONEY = 'bigint NOT NULL CHECK';

/**
 * Everything around the ledger: reference data (payers, plans, the HCPCS fee
 * schedule), coverage (member id encrypted), the appointment projection fed
 * by scheduling's events, claims with their history, refunds, adjustments,
 * statements, and the consent projection. Amounts are bigint minor units.
 */
export class Migration20261126210000Accounts extends Migration {
  override up(): void {
    for (const sql of consentProjectionSql) this.addSql(sql);
    this.addSql(`
      CREATE TABLE payer (
        id text PRIMARY KEY CHECK (id ~ '^[0-9]{1,12}$'),
        name text NOT NULL CHECK (name <> ''),
        ownership text NOT NULL
      )`);
    this.addSql(`
      CREATE TABLE plan (
        id text PRIMARY KEY CHECK (id ~ '^[0-9]{1,12}$'),
        payer_id text NOT NULL REFERENCES payer (id),
        name text NOT NULL CHECK (name <> ''),
        deductible_minor ${MONEY} (deductible_minor >= 0),
        coinsurance_bp integer NOT NULL CHECK (coinsurance_bp BETWEEN 0 AND 10000),
        copay_minor ${MONEY} (copay_minor >= 0),
        currency ${CURRENCY}
      )`);
    this.addSql('CREATE INDEX plan_payer_idx ON plan (payer_id)');
    this.addSql(`
      CREATE TABLE fee_schedule (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][0-9]{4}$'),
        description text NOT NULL,
        status_indicator text NOT NULL,
        rate_minor bigint CHECK (rate_minor > 0),
        currency ${CURRENCY},
        source text NOT NULL
      )`);
    this.addSql(`
      CREATE TABLE coverage (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        payer_id text NOT NULL REFERENCES payer (id),
        plan_id text NOT NULL REFERENCES plan (id),
        member_id text NOT NULL,
        relationship text NOT NULL CHECK (relationship IN ('self', 'spouse', 'child', 'other')),
        period_start date NOT NULL,
        period_end date CHECK (period_end IS NULL OR period_end >= period_start),
        priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 9),
        status text NOT NULL CHECK (status IN ('active', 'cancelled')),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT coverage_one_per_priority EXCLUDE USING gist (
          patient_id WITH =, priority WITH =, daterange(period_start, period_end, '[]') WITH &&
        ) WHERE (status = 'active')
      )`);
    this.addSql('CREATE INDEX coverage_patient_idx ON coverage (patient_id, priority)');
    this.addSql('CREATE INDEX coverage_payer_idx ON coverage (payer_id)');
    // Scheduling's appointments as billing knows them: the highest version seen wins.
    this.addSql(`
      CREATE TABLE appointment_state (
        appointment_id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        practitioner_id uuid NOT NULL,
        status text NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        starts_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX appointment_state_patient_idx ON appointment_state (patient_id)');
    // A no-show fee is billed under its own code, not a HCPCS one.
    this.addSql('ALTER TABLE charge DROP CONSTRAINT charge_code_check');
    this.addSql(`ALTER TABLE charge ADD COLUMN kind text NOT NULL DEFAULT 'service'
      CHECK (kind IN ('service', 'no-show-fee'))`);
    this.addSql(`ALTER TABLE charge ADD CONSTRAINT charge_code_check CHECK (
      (kind = 'service' AND code ~ '^[A-Z][0-9]{4}$') OR (kind = 'no-show-fee' AND code = 'NO-SHOW'))`);
    this.addSql(`
      CREATE TABLE claim (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        coverage_id uuid NOT NULL REFERENCES coverage (id),
        payer_id text NOT NULL REFERENCES payer (id),
        appointment_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN
          ('draft', 'submitted', 'paid', 'partially-paid', 'denied', 'closed')),
        outcome text CHECK (outcome IN ('paid', 'partially-paid', 'denied')),
        total_minor ${MONEY} (total_minor > 0),
        allowed_minor bigint CHECK (allowed_minor >= 0 AND allowed_minor <= total_minor),
        paid_minor bigint CHECK (paid_minor >= 0 AND paid_minor <= allowed_minor),
        currency ${CURRENCY},
        denial_reason text,
        payer_reference text,
        submitted_at timestamptz,
        adjudicated_at timestamptz,
        closed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (appointment_id, coverage_id),
        CHECK ((outcome = 'denied') = (denial_reason IS NOT NULL)),
        CHECK (outcome IS NULL OR (allowed_minor IS NOT NULL AND paid_minor IS NOT NULL))
      )`);
    this.addSql('CREATE INDEX claim_patient_idx ON claim (patient_id, created_at DESC)');
    this.addSql('CREATE INDEX claim_payer_idx ON claim (payer_id, status, created_at DESC)');
    this.addSql(`
      CREATE TABLE claim_charge (
        claim_id uuid NOT NULL REFERENCES claim (id),
        charge_id uuid NOT NULL REFERENCES charge (id),
        PRIMARY KEY (claim_id, charge_id)
      )`);
    this.addSql('CREATE INDEX claim_charge_charge_idx ON claim_charge (charge_id)');
    // Every state a claim has been in, with who moved it: the claim's own history.
    this.addSql(`
      CREATE TABLE claim_version (
        claim_id uuid NOT NULL REFERENCES claim (id),
        version integer NOT NULL,
        status text NOT NULL,
        snapshot jsonb NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        changed_by text NOT NULL,
        PRIMARY KEY (claim_id, version)
      )`);
    this.addSql(`
      CREATE TABLE refund (
        id uuid PRIMARY KEY,
        payment_id uuid NOT NULL REFERENCES payment (id),
        patient_id uuid NOT NULL,
        amount_minor ${MONEY} (amount_minor > 0),
        currency ${CURRENCY},
        reason text NOT NULL CHECK (reason <> ''),
        ledger_entry_id uuid NOT NULL UNIQUE REFERENCES ledger_entry (id) DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL
      )`);
    this.addSql('CREATE INDEX refund_payment_idx ON refund (payment_id)');
    this.addSql(`
      CREATE TABLE adjustment (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('write-off', 'correction')),
        amount_minor ${MONEY} (amount_minor <> 0),
        currency ${CURRENCY},
        reason text NOT NULL CHECK (reason <> ''),
        claim_id uuid REFERENCES claim (id),
        ledger_entry_id uuid NOT NULL UNIQUE REFERENCES ledger_entry (id) DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CHECK (kind <> 'write-off' OR amount_minor < 0)
      )`);
    this.addSql('CREATE INDEX adjustment_patient_idx ON adjustment (patient_id, created_at DESC)');
    // A statement lists the entries not on an earlier one: exact, whatever the commit order.
    this.addSql(`
      CREATE TABLE statement (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        currency ${CURRENCY},
        sequence integer NOT NULL CHECK (sequence >= 1),
        opening_minor bigint NOT NULL,
        closing_minor bigint NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        due_on date NOT NULL,
        created_by text NOT NULL,
        UNIQUE (patient_id, currency, sequence)
      )`);
    this.addSql(`
      CREATE TABLE statement_line (
        statement_id uuid NOT NULL REFERENCES statement (id),
        entry_id uuid NOT NULL UNIQUE REFERENCES ledger_entry (id),
        PRIMARY KEY (statement_id, entry_id)
      )`);
  }
}
