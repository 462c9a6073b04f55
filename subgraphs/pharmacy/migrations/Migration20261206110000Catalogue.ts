import { Migration } from '@mikro-orm/migrations';

const SEVERITY = `('CONTRAINDICATED', 'HIGH', 'MODERATE', 'MINOR')`;

/**
 * The drug catalogue (reference data, no PHI): ingredients and clinical
 * drugs from an RxNorm release, the codes (IN, PIN, MIN) that stand for
 * ingredients, interactions between ingredients from each source, the
 * allergy classes, and one row per import. Written only by
 * catalogue/import.ts; read by the safety checks in a fixed number of
 * statements (store/catalogue-checks.ts), hence the indexes on the
 * ingredient columns.
 */
export class Migration20261206110000Catalogue extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE ingredient (
        id text PRIMARY KEY CHECK (length(id) <= 64),
        name text NOT NULL,
        norm_name text NOT NULL UNIQUE CHECK (norm_name = lower(norm_name)),
        drugbank_id text
      )`);
    this.addSql(`
      CREATE TABLE drug (
        rxcui text PRIMARY KEY CHECK (rxcui ~ '^[0-9]{1,12}$'),
        name text NOT NULL,
        tty text NOT NULL CHECK (tty IN ('SCD', 'SBD', 'GPCK', 'BPCK')),
        dose_form text,
        strength text,
        unit_price_minor bigint CHECK (unit_price_minor >= 0),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    this.addSql('CREATE INDEX drug_name_idx ON drug (name, rxcui)');
    this.addSql(`
      CREATE TABLE drug_ingredient (
        rxcui text NOT NULL REFERENCES drug (rxcui) ON DELETE CASCADE,
        ingredient_id text NOT NULL REFERENCES ingredient (id),
        PRIMARY KEY (rxcui, ingredient_id)
      )`);
    this.addSql('CREATE INDEX drug_ingredient_ingredient_idx ON drug_ingredient (ingredient_id)');
    this.addSql(`
      CREATE TABLE ingredient_code (
        rxcui text NOT NULL,
        tty text NOT NULL CHECK (tty IN ('IN', 'PIN', 'MIN')),
        ingredient_id text NOT NULL REFERENCES ingredient (id),
        PRIMARY KEY (rxcui, ingredient_id)
      )`);
    this.addSql(`
      CREATE TABLE interaction (
        ingredient_a text NOT NULL REFERENCES ingredient (id),
        ingredient_b text NOT NULL REFERENCES ingredient (id),
        source text NOT NULL CHECK (source IN ('ONC', 'WORLDVISTA')),
        source_ref text NOT NULL,
        severity text NOT NULL CHECK (severity IN ${SEVERITY}),
        mechanism text,
        advice text,
        PRIMARY KEY (ingredient_a, ingredient_b, source),
        CHECK (ingredient_a < ingredient_b)
      )`);
    this.addSql('CREATE INDEX interaction_b_idx ON interaction (ingredient_b, ingredient_a)');
    this.addSql(`
      CREATE TABLE ingredient_class (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
        name text NOT NULL,
        source text NOT NULL,
        member_severity text NOT NULL CHECK (member_severity IN ${SEVERITY}),
        cross_reactive_with text[] NOT NULL DEFAULT '{}'
      )`);
    this.addSql(`
      CREATE TABLE ingredient_class_member (
        class_id text NOT NULL REFERENCES ingredient_class (id) ON DELETE CASCADE,
        ingredient_id text NOT NULL REFERENCES ingredient (id),
        PRIMARY KEY (class_id, ingredient_id)
      )`);
    this.addSql(
      'CREATE INDEX ingredient_class_member_ingredient_idx ON ingredient_class_member (ingredient_id)',
    );
    this.addSql(`
      CREATE TABLE catalogue_release (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source text NOT NULL,
        digest text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
        counts jsonb NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now()
      )`);
  }
}
