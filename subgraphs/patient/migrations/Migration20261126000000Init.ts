import { Migration } from '@mikro-orm/migrations';
import { ensureKeyTableSql } from '../../../platform/crypto/key-table.js';

/** Wrapped data keys, patient, its versions, consents, care-team links and break-the-glass grants. */
export class Migration20261126000000Init extends Migration {
  override up(): void {
    this.addSql(ensureKeyTableSql('patient'));
    this.addSql(`
      CREATE TABLE patient (
        id uuid PRIMARY KEY,
        version integer NOT NULL DEFAULT 1,
        mrn text NOT NULL,
        mrn_index text NOT NULL UNIQUE,
        family_birth_index text NOT NULL,
        name text NOT NULL,
        birth_date text NOT NULL,
        gender text NOT NULL,
        telecom text NOT NULL,
        address text NOT NULL,
        identifiers text NOT NULL,
        managing_organization_id text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX patient_family_birth_index_idx ON patient (family_birth_index)');
    this.addSql(`
      CREATE TABLE patient_version (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patient (id),
        version integer NOT NULL,
        snapshot text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        recorded_by text NOT NULL,
        UNIQUE (patient_id, version)
      )`);
    this.addSql(`
      CREATE TABLE consent (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patient (id),
        status text NOT NULL CHECK (status IN ('active', 'inactive')),
        scope text NOT NULL CHECK (scope IN ('patient-privacy', 'research', 'treatment')),
        provisions jsonb NOT NULL,
        period_start timestamptz,
        period_end timestamptz,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        recorded_by text NOT NULL,
        revoked_at timestamptz,
        revoked_by text,
        CHECK (period_end IS NULL OR period_start IS NULL OR period_end > period_start)
      )`);
    this.addSql('CREATE INDEX consent_patient_id_idx ON consent (patient_id)');
    this.addSql(`
      CREATE TABLE care_team_member (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patient (id),
        practitioner_id text NOT NULL,
        role text NOT NULL,
        since timestamptz NOT NULL DEFAULT now(),
        until timestamptz,
        added_by text NOT NULL
      )`);
    this.addSql('CREATE INDEX care_team_member_patient_idx ON care_team_member (patient_id)');
    this.addSql(
      'CREATE UNIQUE INDEX care_team_member_active_uq ON care_team_member (patient_id, practitioner_id) WHERE until IS NULL',
    );
    this.addSql(
      'CREATE INDEX care_team_member_practitioner_idx ON care_team_member (practitioner_id, patient_id)',
    );
    this.addSql(`
      CREATE TABLE break_glass_grant (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patient (id),
        practitioner_id text NOT NULL,
        reason text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CHECK (expires_at > granted_at)
      )`);
    this.addSql(
      'CREATE INDEX break_glass_grant_lookup_idx ON break_glass_grant (patient_id, practitioner_id)',
    );
  }
}
