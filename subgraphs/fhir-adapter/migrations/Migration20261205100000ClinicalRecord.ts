import { Migration } from '@mikro-orm/migrations';
import { consentProjectionSql } from '../../../platform/authz/access-facts/sql.js';
import { ensureKeyTableSql } from '../../../platform/crypto/key-table.js';
import { idempotencySql } from '../../../platform/db/idempotency.js';
import { outboxSql } from '../../../platform/events/schema-sql.js';

/**
 * The clinical record: each resource's current version (FHIR R4 JSON,
 * encrypted whole) with the few columns search needs, none of them clinical
 * content in the clear (codes, categories and security labels are keyed
 * blind indexes); every version kept; the map from each source system's ids
 * to the Carefed ids they became; and bulk import jobs.
 */
export class Migration20261205100000ClinicalRecord extends Migration {
  override up(): void {
    this.addSql(ensureKeyTableSql('fhir'));
    this.addSql(outboxSql('fhir'));
    this.addSql(idempotencySql('fhir'));
    for (const sql of consentProjectionSql) this.addSql(sql);
    this.addSql(`
      CREATE TABLE resource (
        id uuid PRIMARY KEY,
        type text NOT NULL CHECK (type ~ '^[A-Z][A-Za-z]{1,63}$'),
        patient_id uuid NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        status text CHECK (length(status) <= 64),
        sort_at timestamptz NOT NULL,
        start_at timestamptz,
        end_at timestamptz,
        code_index text[] NOT NULL DEFAULT '{}',
        category_index text[] NOT NULL DEFAULT '{}',
        label_index text[] NOT NULL DEFAULT '{}',
        body text NOT NULL CHECK (body LIKE 'cf1.%'),
        last_updated timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX resource_patient_idx ON resource (patient_id, type, sort_at DESC, id DESC)',
    );
    this.addSql('CREATE INDEX resource_code_idx ON resource USING gin (code_index)');
    this.addSql(`
      CREATE TABLE resource_version (
        id uuid NOT NULL REFERENCES resource (id),
        version integer NOT NULL CHECK (version >= 1),
        body text NOT NULL CHECK (body LIKE 'cf1.%'),
        last_updated timestamptz NOT NULL,
        updated_by text NOT NULL,
        PRIMARY KEY (id, version)
      )`);
    // A version once written never changes (history is the record of what was known when),
    // except that key rotation re-encrypts its body under a newer key version.
    this.addSql(`
      CREATE FUNCTION resource_version_immutable() RETURNS trigger LANGUAGE plpgsql
      SET search_path = fhir, pg_temp AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.version = OLD.version
           AND NEW.last_updated = OLD.last_updated AND NEW.updated_by = OLD.updated_by
           AND split_part(NEW.body, '.', 2)::int > split_part(OLD.body, '.', 2)::int THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'resource versions are immutable: write a new version'
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    this.addSql(`
      CREATE TRIGGER resource_version_no_change BEFORE UPDATE OR DELETE ON resource_version
        FOR EACH ROW EXECUTE FUNCTION resource_version_immutable()`);
    this.addSql(`
      CREATE TABLE source_map (
        source_key text PRIMARY KEY CHECK (source_key ~ '^[0-9a-f]{64}$'),
        type text NOT NULL,
        carefed_id text NOT NULL,
        content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
        imported_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX source_map_target_idx ON source_map (type, carefed_id)');
    this.addSql(`
      CREATE TABLE import_job (
        id uuid PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        source text NOT NULL,
        created_by text NOT NULL,
        principal jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        finished_at timestamptz,
        payload text NOT NULL CHECK (payload LIKE 'cf1.%'),
        total integer NOT NULL,
        processed integer NOT NULL DEFAULT 0,
        report jsonb NOT NULL DEFAULT '{}'
      )`);
  }
}
