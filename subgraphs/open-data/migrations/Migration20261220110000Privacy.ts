import { Migration } from '@mikro-orm/migrations';

/** The researcher ids the open-data subgraph accepts (a token subject, an email, an issuer|subject pair). */
const RESEARCHER = `CHECK (researcher ~ '^[A-Za-z0-9._:@|-]{1,200}$')`;

/**
 * Each researcher's differential-privacy budget (micro-epsilon), the ledger of
 * the answers that spent it, the data use agreements and who accepted which.
 * The ledger and the acceptances are append-only, and a budget's spend never
 * goes down: enforced by triggers, so no code path can give privacy back or
 * rewrite what a researcher was told. A published agreement's text is
 * append-only too: an acceptance names a version, so its text must not move.
 */
export class Migration20261220110000Privacy extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE privacy_budget (
        researcher text PRIMARY KEY ${RESEARCHER},
        total_micro bigint NOT NULL CHECK (total_micro > 0),
        spent_micro bigint NOT NULL DEFAULT 0
          CHECK (spent_micro >= 0 AND spent_micro <= total_micro),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE privacy_ledger (
        id uuid PRIMARY KEY,
        researcher text NOT NULL REFERENCES privacy_budget,
        request_key text NOT NULL CHECK (length(request_key) BETWEEN 1 AND 200),
        question_digest text NOT NULL CHECK (question_digest ~ '^[0-9a-f]{64}$'),
        question jsonb NOT NULL,
        epsilon_micro bigint NOT NULL CHECK (epsilon_micro > 0),
        answer jsonb NOT NULL,
        answered_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (researcher, request_key)
      )`);
    this.addSql(
      'CREATE INDEX privacy_ledger_recent_idx ON privacy_ledger (researcher, answered_at DESC, id)',
    );
    this.addSql(`
      CREATE TABLE data_use_agreement (
        version integer PRIMARY KEY CHECK (version >= 1),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        body text NOT NULL CHECK (length(body) >= 1),
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        published_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE dua_acceptance (
        researcher text NOT NULL ${RESEARCHER},
        version integer NOT NULL REFERENCES data_use_agreement,
        accepted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (researcher, version)
      )`);
    this.addSql(`
      CREATE FUNCTION privacy_append_only() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['privacy_ledger', 'dua_acceptance', 'data_use_agreement']) {
      this.addSql(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION privacy_append_only()`);
      this.addSql(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION privacy_append_only()`);
    }
    // A budget may grow (a new grant) but what was spent is spent, and a budget row stays.
    this.addSql(`
      CREATE FUNCTION privacy_budget_spend_only() RETURNS trigger LANGUAGE plpgsql
      SET search_path = pg_catalog, pg_temp AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' THEN
          RAISE EXCEPTION 'privacy_budget rows are kept: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.spent_micro < OLD.spent_micro OR NEW.researcher <> OLD.researcher THEN
          RAISE EXCEPTION 'privacy spent is never given back'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    this.addSql(`CREATE TRIGGER privacy_budget_spend_only BEFORE UPDATE OR DELETE ON privacy_budget
      FOR EACH ROW EXECUTE FUNCTION privacy_budget_spend_only()`);
    this.addSql(`CREATE TRIGGER privacy_budget_no_truncate BEFORE TRUNCATE ON privacy_budget
      FOR EACH STATEMENT EXECUTE FUNCTION privacy_budget_spend_only()`);
  }
}
