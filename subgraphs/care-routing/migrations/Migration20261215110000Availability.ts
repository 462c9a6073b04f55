import { Migration } from '@mikro-orm/migrations';

/**
 * Availability (issue 15): projections of scheduling's events, never reads
 * of its tables. `schedule_projection` keeps each schedule's rule as its
 * newest `schedule.changed` states it; `held_time` keeps whether each
 * appointment holds its practitioner's time, from the appointment events
 * (no patient id: care routing needs only that the time is taken). Both
 * keep the version they were last set from, so an older or repeated event
 * changes nothing.
 */
export class Migration20261215110000Availability extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE schedule_projection (
        schedule_id uuid PRIMARY KEY,
        practitioner_id text NOT NULL,
        location_id text NOT NULL,
        specialties jsonb NOT NULL CHECK (jsonb_typeof(specialties) = 'array'),
        specialty_keys text[] NOT NULL,
        time_zone text NOT NULL,
        slot_minutes integer NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
        weekly jsonb NOT NULL,
        exceptions jsonb NOT NULL,
        active boolean NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(
      'CREATE INDEX schedule_projection_location_idx ON schedule_projection (location_id) WHERE active',
    );
    this.addSql(
      'CREATE INDEX schedule_projection_specialty_idx ON schedule_projection USING gin (specialty_keys)',
    );
    this.addSql(`
      CREATE TABLE held_time (
        appointment_id uuid PRIMARY KEY,
        practitioner_id text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
        holds boolean NOT NULL,
        version integer NOT NULL CHECK (version >= 1)
      )`);
    this.addSql(
      'CREATE INDEX held_time_practitioner_idx ON held_time (practitioner_id, starts_at) WHERE holds',
    );
  }
}
