import { Migration } from '@mikro-orm/migrations';
import { ensureKeyTableSql } from '../../../platform/crypto/key-table.js';
import { outboxSql } from '../../../platform/events/schema-sql.js';

/**
 * The de-identified store (issue 16). Nothing here is PHI: patients are
 * pseudonyms (a keyed hash whose key researchers never see), every date is a
 * year, ages over 89 are one group, ZIP codes are three digits with the
 * low-population prefixes as `000`, codes come from an allow-list of code
 * systems and there is no free text. No row carries a time of its own
 * (no `created_at`): a write time would be a date of the patient's care.
 */
export class Migration20261220100000Facts extends Migration {
  override up(): void {
    // Every store opens the platform's keyring; open data encrypts no column with it.
    this.addSql(ensureKeyTableSql('opendata'));
    // The event inbox (each delivery applied once); open data publishes nothing from its outbox.
    this.addSql(outboxSql('opendata'));
    this.addSql(`
      CREATE TABLE subject (
        pseudonym text PRIMARY KEY CHECK (pseudonym ~ '^[0-9a-f]{64}$'),
        birth_year smallint CHECK (birth_year BETWEEN 1800 AND 2300),
        aged_90_plus boolean NOT NULL DEFAULT false,
        sex text NOT NULL DEFAULT 'unknown' CHECK (sex IN ('female', 'male', 'other', 'unknown')),
        zip3 text CHECK (zip3 ~ '^[0-9]{3}$'),
        profile_version integer NOT NULL DEFAULT 0,
        CHECK (NOT (aged_90_plus AND birth_year IS NOT NULL))
      )`);
    this.addSql(`
      CREATE TABLE fact (
        key text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
        pseudonym text NOT NULL REFERENCES subject ON DELETE CASCADE,
        resource_type text NOT NULL CHECK (resource_type ~ '^[A-Z][A-Za-z]{1,63}$'),
        status text CHECK (status ~ '^[a-z-]{1,40}$'),
        codes text[] NOT NULL,
        category text CHECK (category ~ '^[A-Z][0-9]{2}-[A-Z][0-9]{2}$'),
        class text CHECK (class ~ '^[A-Z]{2,8}$'),
        year smallint NOT NULL CHECK (year BETWEEN 1800 AND 2300),
        region text CHECK (region ~ '^[0-9]{3}$'),
        quantity integer CHECK (quantity >= 0),
        version integer NOT NULL CHECK (version >= 1)
      )`);
    this.addSql('CREATE INDEX fact_pseudonym_idx ON fact (pseudonym)');
    this.addSql('CREATE INDEX fact_type_year_idx ON fact (resource_type, year)');
    this.addSql(`
      CREATE TABLE research_opt_out (
        pseudonym text PRIMARY KEY CHECK (pseudonym ~ '^[0-9a-f]{64}$')
      )`);
    this.addSql(`
      CREATE TABLE research_consent (
        consent_key text PRIMARY KEY CHECK (consent_key ~ '^[0-9a-f]{64}$'),
        pseudonym text NOT NULL CHECK (pseudonym ~ '^[0-9a-f]{64}$'),
        denies boolean NOT NULL
      )`);
    this.addSql('CREATE INDEX research_consent_pseudonym_idx ON research_consent (pseudonym)');
    // Directory data from scheduling's schedule events: no PHI.
    this.addSql(`
      CREATE TABLE practitioner_specialty (
        schedule_id uuid PRIMARY KEY,
        practitioner_id text NOT NULL,
        specialty text NOT NULL,
        version integer NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX practitioner_specialty_idx ON practitioner_specialty (practitioner_id)',
    );
    // The facility directory's regions (public data): facility reference → ZIP3.
    this.addSql(`
      CREATE TABLE facility_region (
        facility_ref text PRIMARY KEY,
        region text NOT NULL CHECK (region ~ '^[0-9]{3}$')
      )`);
    // What each event adds to a weekly series (admissions, appointments, dispensing): the
    // forecasts' input. Keyed by a keyed hash of its fact's key (never the fact's key itself), with
    // no pseudonym: a week is finer than a year, so no join ties it to a patient.
    this.addSql(`
      CREATE TABLE series_count (
        key text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
        series text NOT NULL CHECK (series IN ('admissions', 'appointments', 'dispensing')),
        series_key text NOT NULL CHECK (length(series_key) BETWEEN 1 AND 200),
        week date NOT NULL CHECK (extract(isodow FROM week) = 1),
        amount integer NOT NULL CHECK (amount >= 0),
        version integer NOT NULL
      )`);
    this.addSql('CREATE INDEX series_count_idx ON series_count (series, series_key, week)');
    this.addSql(`
      CREATE TABLE forecast (
        series text NOT NULL,
        series_key text NOT NULL,
        computed_at timestamptz NOT NULL,
        method text NOT NULL,
        history jsonb NOT NULL,
        points jsonb NOT NULL,
        backtest jsonb,
        PRIMARY KEY (series, series_key)
      )`);
    this.addSql(`
      CREATE TABLE release (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('tables', 'records')),
        version integer NOT NULL CHECK (version >= 1),
        title text NOT NULL,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        method jsonb NOT NULL,
        notes text NOT NULL,
        row_count integer NOT NULL,
        csv text NOT NULL,
        ndjson text NOT NULL,
        UNIQUE (kind, version)
      )`);
  }
}
