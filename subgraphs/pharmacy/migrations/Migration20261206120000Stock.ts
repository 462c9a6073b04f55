import { Migration } from '@mikro-orm/migrations';

const FACILITY = `text NOT NULL CHECK (facility_id ~ '^[A-Za-z0-9.-]{1,64}$')`;
const RXCUI = `text NOT NULL CHECK (drug_rxcui ~ '^[0-9]{1,12}$')`;
const REASONS = `'waste', 'expiry', 'count-correction', 'damaged', 'return-to-supplier'`;

/**
 * Stock per facility and lot, its append-only ledger, dispenses and stock
 * alerts. No PHI in the stock tables: facility, drug, lot and counts only
 * (the dispense row names the patient, as the prescription it fills does).
 * Ledger rows are ordered by `seq`, the order they were written in.
 * `stock_lot.on_hand` is a cached balance, kept equal to the sum of the lot's
 * ledger rows in the same transaction; its CHECK means no writer can take it
 * below zero. The ledger rows of a dispense are its allocation record (one
 * per lot drawn).
 */
export class Migration20261206120000Stock extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE stock_lot (
        id uuid PRIMARY KEY,
        facility_id ${FACILITY},
        drug_rxcui ${RXCUI},
        lot_number text NOT NULL CHECK (lot_number ~ '^[A-Za-z0-9./-]{1,40}$'),
        expires_on date NOT NULL,
        on_hand integer NOT NULL CHECK (on_hand >= 0),
        received_at timestamptz NOT NULL,
        UNIQUE (facility_id, drug_rxcui, lot_number)
      )`);
    // First-expiry-first-out order of a drug's lots at a facility.
    this.addSql(`CREATE INDEX stock_lot_fefo_idx
      ON stock_lot (facility_id, drug_rxcui, expires_on, received_at, id)`);
    this.addSql('CREATE INDEX stock_lot_expiry_idx ON stock_lot (expires_on) WHERE on_hand > 0');
    this.addSql(`
      CREATE TABLE dispense (
        id uuid PRIMARY KEY,
        prescription_id uuid NOT NULL REFERENCES prescription (id),
        patient_id uuid NOT NULL,
        facility_id ${FACILITY},
        drug_rxcui ${RXCUI},
        quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
        fill_number integer NOT NULL CHECK (fill_number BETWEEN 1 AND 100),
        dispensed_at timestamptz NOT NULL,
        dispensed_by text NOT NULL CHECK (dispensed_by <> '' AND length(dispensed_by) <= 200),
        unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        UNIQUE (prescription_id, fill_number)
      )`);
    this.addSql('CREATE INDEX dispense_patient_idx ON dispense (patient_id, dispensed_at DESC)');
    this.addSql(`
      CREATE TABLE stock_ledger (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        lot_id uuid NOT NULL REFERENCES stock_lot (id),
        kind text NOT NULL CHECK (kind IN ('receipt', 'dispense', 'adjustment', 'expiry')),
        delta integer NOT NULL CHECK (delta <> 0),
        reason text CHECK (reason IN (${REASONS})),
        note text CHECK (length(note) <= 200),
        dispense_id uuid REFERENCES dispense (id),
        occurred_at timestamptz NOT NULL,
        recorded_by text NOT NULL CHECK (recorded_by <> '' AND length(recorded_by) <= 200),
        CHECK ((kind = 'adjustment') = (reason IS NOT NULL)),
        CHECK ((kind = 'dispense') = (dispense_id IS NOT NULL)),
        CHECK (kind <> 'receipt' OR delta > 0),
        CHECK (kind NOT IN ('dispense', 'expiry') OR delta < 0)
      )`);
    this.addSql('CREATE INDEX stock_ledger_lot_idx ON stock_ledger (lot_id, seq)');
    // A dispense draws each lot once: its ledger rows are its allocations.
    this.addSql(`CREATE UNIQUE INDEX stock_ledger_dispense_lot
      ON stock_ledger (dispense_id, lot_id) WHERE dispense_id IS NOT NULL`);
    this.addSql(`
      CREATE FUNCTION stock_row_immutable() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pharmacy, pg_temp AS $$
      BEGIN
        RAISE EXCEPTION '% rows are immutable: record a movement as a new row', TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['stock_ledger', 'dispense']) {
      this.addSql(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION stock_row_immutable()`);
      this.addSql(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION stock_row_immutable()`);
    }
    this.addSql(`
      CREATE TABLE stock_level (
        facility_id ${FACILITY},
        drug_rxcui ${RXCUI},
        reorder_level integer NOT NULL CHECK (reorder_level BETWEEN 0 AND 10000000),
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL,
        PRIMARY KEY (facility_id, drug_rxcui)
      )`);
    this.addSql(`
      CREATE TABLE stock_alert (
        id uuid PRIMARY KEY,
        facility_id ${FACILITY},
        drug_rxcui ${RXCUI},
        lot_id uuid REFERENCES stock_lot (id),
        kind text NOT NULL CHECK (kind IN ('low-stock', 'expiring', 'expired')),
        quantity integer NOT NULL CHECK (quantity >= 0),
        raised_at timestamptz NOT NULL,
        resolved_at timestamptz CHECK (resolved_at >= raised_at),
        CHECK ((kind = 'low-stock') = (lot_id IS NULL))
      )`);
    // One open alert per (facility, drug, kind) for low stock, per (lot, kind) otherwise.
    this
      .addSql(`CREATE UNIQUE INDEX stock_alert_open_drug ON stock_alert (facility_id, drug_rxcui, kind)
      WHERE resolved_at IS NULL AND lot_id IS NULL`);
    this.addSql(`CREATE UNIQUE INDEX stock_alert_open_lot ON stock_alert (lot_id, kind)
      WHERE resolved_at IS NULL AND lot_id IS NOT NULL`);
    this.addSql(`CREATE INDEX stock_alert_facility_idx ON stock_alert (facility_id, raised_at)
      WHERE resolved_at IS NULL`);
  }
}
