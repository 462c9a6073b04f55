import { Migration } from '@mikro-orm/migrations';
import { ensureKeyTableSql } from '../../../platform/crypto/key-table.js';
import { idempotencySql } from '../../../platform/db/idempotency.js';
import { outboxSql } from '../../../platform/events/schema-sql.js';

/**
 * Practitioners, schedules, appointments (with the exclusion constraint that
 * forbids double booking), their versions, idempotency keys, the consent
 * projection, the event outbox and inbox, and wrapped data keys.
 */
export class Migration20261126100000Init extends Migration {
  override up(): void {
    this.addSql(ensureKeyTableSql('scheduling'));
    this.addSql(outboxSql('scheduling'));
    this.addSql(`
      CREATE TABLE practitioner (
        id text PRIMARY KEY,
        npi text NOT NULL UNIQUE,
        family text NOT NULL,
        given jsonb NOT NULL,
        prefix text,
        specialties jsonb NOT NULL,
        facility_ids jsonb NOT NULL,
        active boolean NOT NULL DEFAULT true
      )`);
    this.addSql(`
      CREATE TABLE schedule (
        id uuid PRIMARY KEY,
        practitioner_id text NOT NULL REFERENCES practitioner (id),
        facility_id text NOT NULL,
        time_zone text NOT NULL,
        slot_minutes integer NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
        weekly jsonb NOT NULL,
        exceptions jsonb NOT NULL,
        active boolean NOT NULL DEFAULT true
      )`);
    this.addSql('CREATE INDEX schedule_practitioner_idx ON schedule (practitioner_id)');
    this.addSql(`
      CREATE TABLE appointment (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        practitioner_id text NOT NULL REFERENCES practitioner (id),
        facility_id text NOT NULL,
        time_zone text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('proposed', 'booked', 'arrived', 'fulfilled', 'cancelled', 'noshow')),
        reason text,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        CHECK (ends_at > starts_at),
        CONSTRAINT appointment_no_double_booking EXCLUDE USING gist (
          practitioner_id WITH =,
          tstzrange(starts_at, ends_at, '[)') WITH &&
        ) WHERE (status IN ('booked', 'arrived', 'fulfilled'))
      )`);
    this.addSql('CREATE INDEX appointment_patient_idx ON appointment (patient_id, starts_at DESC)');
    this.addSql(
      'CREATE INDEX appointment_practitioner_idx ON appointment (practitioner_id, starts_at)',
    );
    this.addSql(`
      CREATE TABLE appointment_version (
        id uuid PRIMARY KEY,
        appointment_id uuid NOT NULL REFERENCES appointment (id),
        version integer NOT NULL,
        status text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        recorded_by text NOT NULL,
        UNIQUE (appointment_id, version)
      )`);
    this.addSql(idempotencySql('scheduling'));
    this.addSql(`
      CREATE TABLE consent_projection (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL,
        status text NOT NULL,
        scope text NOT NULL,
        provisions jsonb NOT NULL,
        period_start timestamptz,
        period_end timestamptz,
        changed_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX consent_projection_patient_idx ON consent_projection (patient_id)');
  }
}
