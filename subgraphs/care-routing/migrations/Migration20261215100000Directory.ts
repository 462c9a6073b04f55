import { Migration } from '@mikro-orm/migrations';
import { consentProjectionSql } from '../../../platform/authz/access-facts/sql.js';
import { ensureKeyTableSql } from '../../../platform/crypto/key-table.js';
import { idempotencySql } from '../../../platform/db/idempotency.js';
import { outboxSql } from '../../../platform/events/schema-sql.js';

const KINDS = `('hospital', 'urgent-care', 'primary-care', 'veterans')`;
const SOURCES = `('hospitals', 'urgent-care', 'primary-care-women', 'primary-care-children', 'va', 'fhir-location')`;
const SERVICES = `('emergency', 'urgent-care', 'primary-care', 'womens-health', 'paediatrics', 'veterans-care', 'inpatient')`;

/**
 * The facility directory (no PHI: public data), the FHIR Location ids that
 * name each facility, ZIP centroids, reported capacity and status with their
 * history, regional traffic reports, and each patient's care preferences
 * (encrypted: they are the patient's). `earth` is the facility's point on
 * earthdistance's sphere (a generated `cube`), GiST-indexed for radius and
 * nearest-first searches.
 */
export class Migration20261215100000Directory extends Migration {
  override up(): void {
    this.addSql(ensureKeyTableSql('routing'));
    this.addSql(outboxSql('routing'));
    this.addSql(idempotencySql('routing'));
    for (const sql of consentProjectionSql) this.addSql(sql);
    this.addSql(`
      CREATE TABLE facility (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._:-]{1,64}$'),
        source text NOT NULL CHECK (source IN ${SOURCES}),
        source_key text NOT NULL CHECK (length(source_key) BETWEEN 1 AND 64),
        npi text CHECK (npi ~ '^[0-9]{10}$'),
        provider_number text CHECK (length(provider_number) <= 20),
        kind text NOT NULL CHECK (kind IN ${KINDS}),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        line text CHECK (length(line) <= 200),
        city text CHECK (length(city) <= 100),
        state text CHECK (state ~ '^[A-Z]{2}$'),
        zip text CHECK (zip ~ '^[0-9]{5}$'),
        phone text CHECK (length(phone) <= 40),
        lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        earth public.earth GENERATED ALWAYS AS (public.ll_to_earth(lat, lon)) STORED,
        beds integer CHECK (beds >= 0),
        emergency boolean NOT NULL,
        region text NOT NULL CHECK (region ~ '^[0-9]{3}$|^unknown$'),
        time_zone text NOT NULL,
        digest text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (source, source_key)
      )`);
    this.addSql('CREATE INDEX facility_earth_idx ON facility USING gist (earth)');
    this.addSql('CREATE INDEX facility_npi_idx ON facility (npi)');
    this.addSql(`
      CREATE TABLE facility_service (
        facility_id text NOT NULL REFERENCES facility (id) ON DELETE CASCADE,
        service text NOT NULL CHECK (service IN ${SERVICES}),
        PRIMARY KEY (facility_id, service)
      )`);
    this.addSql(
      'CREATE INDEX facility_service_service_idx ON facility_service (service, facility_id)',
    );
    this.addSql(`
      CREATE TABLE facility_location (
        location_id text PRIMARY KEY CHECK (location_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
        facility_id text NOT NULL REFERENCES facility (id) ON DELETE CASCADE,
        matched_by text NOT NULL CHECK (matched_by IN ('name-and-zip', 'name-and-position', 'position', 'own'))
      )`);
    this.addSql('CREATE INDEX facility_location_facility_idx ON facility_location (facility_id)');
    this.addSql(`
      CREATE TABLE zip_centroid (
        zip text PRIMARY KEY CHECK (zip ~ '^[0-9]{5}$'),
        lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        state text NOT NULL,
        place text NOT NULL
      )`);
    this.addSql(`
      CREATE TABLE facility_status (
        facility_id text PRIMARY KEY REFERENCES facility (id) ON DELETE CASCADE,
        beds_available integer CHECK (beds_available >= 0),
        beds_available_at timestamptz,
        emergency_wait_minutes integer CHECK (emergency_wait_minutes BETWEEN 0 AND 2880),
        emergency_wait_at timestamptz,
        diversion boolean,
        diversion_at timestamptz,
        hours jsonb,
        hours_at timestamptz,
        version integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE facility_status_report (
        id uuid PRIMARY KEY,
        facility_id text NOT NULL REFERENCES facility (id) ON DELETE CASCADE,
        observed_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        source text NOT NULL CHECK (source IN ('staff', 'feed')),
        reported_by text NOT NULL,
        reported jsonb NOT NULL,
        applied text[] NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX facility_status_report_idx ON facility_status_report (facility_id, observed_at DESC, id)',
    );
    this.addSql(`
      CREATE TABLE traffic_report (
        id uuid PRIMARY KEY,
        region text NOT NULL CHECK (region ~ '^[0-9]{3}$'),
        factor double precision NOT NULL CHECK (factor BETWEEN 0.5 AND 10),
        observed_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        reported_by text NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX traffic_report_region_idx ON traffic_report (region, observed_at DESC)',
    );
    this.addSql(`
      CREATE TABLE care_preference (
        patient_id uuid PRIMARY KEY,
        detail text NOT NULL CHECK (detail LIKE 'cf1.%'),
        version integer NOT NULL CHECK (version >= 1),
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
  }
}
