import { Migration } from '@mikro-orm/migrations';

const CURRENCY = `char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$')`;

/**
 * Charges for pharmacy's dispenses (`pharmacy.dispensed`): one
 * `dispense_charge` per dispense, each with its ledger debit, whose cause is
 * the dispense (a new ledger cause type, `dispense`). The appointment
 * `charge` table is left as it is: a dispense has no appointment and no HCPCS
 * code. Append-only like every money table. On a database whose ledger is
 * already guarded (`guarded` in spec.ts), this migration alters
 * `ledger_entry` and so must run as a superuser, as the guard's notes say.
 */
export class Migration20261212010000DispenseCharges extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE ledger_entry DROP CONSTRAINT ledger_entry_cause_type_check');
    this.addSql(`ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_cause_type_check
      CHECK (cause_type IN ('appointment', 'claim', 'payment', 'user', 'dispense'))`);
    this.addSql(`
      CREATE TABLE dispense_charge (
        id uuid PRIMARY KEY,
        dispense_id uuid NOT NULL UNIQUE,
        prescription_id uuid NOT NULL,
        patient_id uuid NOT NULL,
        facility_id text NOT NULL CHECK (facility_id ~ '^[A-Za-z0-9.-]{1,64}$'),
        drug_rxcui text NOT NULL CHECK (drug_rxcui ~ '^[0-9]{1,12}$'),
        quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
        unit_price_minor bigint NOT NULL CHECK (unit_price_minor > 0),
        amount_minor bigint NOT NULL,
        currency ${CURRENCY},
        dispensed_at timestamptz NOT NULL,
        ledger_entry_id uuid NOT NULL UNIQUE REFERENCES ledger_entry (id) DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CHECK (amount_minor = unit_price_minor * quantity)
      )`);
    this.addSql(
      'CREATE INDEX dispense_charge_patient_idx ON dispense_charge (patient_id, created_at DESC)',
    );
    this.addSql(`CREATE TRIGGER dispense_charge_no_update BEFORE UPDATE OR DELETE ON dispense_charge
      FOR EACH ROW EXECUTE FUNCTION money_row_immutable()`);
    this.addSql(`CREATE TRIGGER dispense_charge_no_truncate BEFORE TRUNCATE ON dispense_charge
      FOR EACH STATEMENT EXECUTE FUNCTION money_row_immutable()`);
  }
}
