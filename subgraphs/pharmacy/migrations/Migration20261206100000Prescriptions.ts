import { Migration } from '@mikro-orm/migrations';
import { consentProjectionSql } from '../../../platform/authz/access-facts/sql.js';
import { ensureKeyTableSql } from '../../../platform/crypto/key-table.js';
import { idempotencySql } from '../../../platform/db/idempotency.js';
import { outboxSql } from '../../../platform/events/schema-sql.js';

const STATUS = `('active', 'on-hold', 'completed', 'cancelled', 'stopped', 'entered-in-error')`;

/**
 * Prescriptions (FHIR MedicationRequest in shape) and their versions, and
 * the patient facts pharmacy keeps from the clinical record's events
 * (allergies and outside medication history). The drug prescribed is in the
 * clear, as billing's service codes are: pharmacy stocks, dispenses and
 * prices by it. Everything a clinician writes (dose, route, frequency,
 * indication, notes, reasons, the alerts shown and overridden) is one
 * encrypted JSON per version; the clinical facts' codes are encrypted too.
 */
export class Migration20261206100000Prescriptions extends Migration {
  override up(): void {
    this.addSql(ensureKeyTableSql('pharmacy'));
    this.addSql(outboxSql('pharmacy'));
    this.addSql(idempotencySql('pharmacy'));
    for (const sql of consentProjectionSql) this.addSql(sql);
    this.addSql(`
      CREATE TABLE prescription (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        drug_rxcui text NOT NULL CHECK (drug_rxcui ~ '^[0-9]{1,12}$'),
        prescriber_id text CHECK (length(prescriber_id) <= 64),
        status text NOT NULL CHECK (status IN ${STATUS}),
        version integer NOT NULL CHECK (version >= 1),
        quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
        refills integer NOT NULL CHECK (refills BETWEEN 0 AND 99),
        valid_until timestamptz NOT NULL,
        authored_at timestamptz NOT NULL,
        renewal_of uuid REFERENCES prescription (id),
        labels text[] NOT NULL DEFAULT '{}',
        detail text NOT NULL CHECK (detail LIKE 'cf1.%'),
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX prescription_patient_idx ON prescription (patient_id, authored_at DESC, id DESC)',
    );
    this.addSql(`
      CREATE TABLE prescription_version (
        id uuid NOT NULL REFERENCES prescription (id),
        version integer NOT NULL CHECK (version >= 1),
        status text NOT NULL CHECK (status IN ${STATUS}),
        quantity integer NOT NULL,
        refills integer NOT NULL,
        valid_until timestamptz NOT NULL,
        detail text NOT NULL CHECK (detail LIKE 'cf1.%'),
        changed_at timestamptz NOT NULL,
        changed_by text NOT NULL,
        PRIMARY KEY (id, version)
      )`);
    // A version once written never changes, except re-encryption under a newer key version.
    this.addSql(`
      CREATE FUNCTION prescription_version_immutable() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pharmacy, pg_temp AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.version = OLD.version
           AND NEW.status = OLD.status AND NEW.changed_at = OLD.changed_at
           AND split_part(NEW.detail, '.', 2)::int > split_part(OLD.detail, '.', 2)::int THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'prescription versions are immutable: write a new version'
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    this.addSql(`
      CREATE TRIGGER prescription_version_no_change BEFORE UPDATE OR DELETE ON prescription_version
        FOR EACH ROW EXECUTE FUNCTION prescription_version_immutable()`);
    // Allergies and outside medications, projected from clinical.changed (newest version wins).
    this.addSql(`
      CREATE TABLE clinical_fact (
        resource_id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('allergy', 'medication')),
        version integer NOT NULL CHECK (version >= 1),
        active boolean NOT NULL,
        labels text[] NOT NULL DEFAULT '{}',
        codes text NOT NULL CHECK (codes LIKE 'cf1.%'),
        updated_at timestamptz NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX clinical_fact_patient_idx ON clinical_fact (patient_id, kind) WHERE active',
    );
  }
}
