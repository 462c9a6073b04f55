// pg_temp goes last explicitly: left out, it is searched first for tables, and a caller
// could shadow audit.entry with a temporary table inside these SECURITY DEFINER functions.
const SEARCH_PATH = 'SET search_path = pg_catalog, audit, pg_temp';

const READERS = ['audit.access_log(text, integer, bigint)', 'audit.head()'];
const FUNCTIONS = [...READERS, 'audit.chain_entry()', 'audit.reject_change()'];

/** Quotes a role name after checking it is a plain identifier. */
export function roleIdent(role: string): string {
  if (!/^[a-z_][a-z0-9_$]{0,62}$/.test(role)) throw new TypeError(`Not a plain role name: ${role}`);
  return `"${role}"`;
}

/**
 * Provisioning statements for the append-only, hash-chained audit log, run in
 * order by a superuser (PostgreSQL 14+). Idempotent. With `owner`, every audit
 * object is handed to that role (best a NOLOGIN role), so the SECURITY DEFINER
 * functions do not run as a superuser.
 */
export function auditSchemaSql(options: { owner?: string } = {}): string[] {
  const sql = [
    'CREATE SCHEMA IF NOT EXISTS audit',
    `CREATE TABLE IF NOT EXISTS audit.entry (
      seq bigint PRIMARY KEY CHECK (seq > 0),
      prev_hash text NOT NULL,
      hash text NOT NULL,
      payload text NOT NULL CHECK (jsonb_typeof(payload::jsonb) = 'object'),
      patient_id text GENERATED ALWAYS AS (payload::jsonb ->> 'patientId') STORED,
      occurred_at text GENERATED ALWAYS AS (payload::jsonb ->> 'occurredAt') STORED
    )`,
    // The chain's tip, one row. Appends lock it (SELECT ... FOR UPDATE) rather than take an
    // advisory lock and read the table's last row: under REPEATABLE READ or SERIALIZABLE a stale
    // snapshot would reuse a seq and fail as a unique violation (23505, easily mistaken for a
    // business conflict); locking this row fails as a retryable serialization failure (40001) instead.
    `CREATE TABLE IF NOT EXISTS audit.chain_head (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      seq bigint NOT NULL,
      hash text NOT NULL
    )`,
    "INSERT INTO audit.chain_head (id, seq, hash) VALUES (true, 0, repeat('0', 64)) ON CONFLICT DO NOTHING",
    `CREATE INDEX IF NOT EXISTS entry_patient_seq ON audit.entry (patient_id, seq DESC)
      WHERE patient_id IS NOT NULL`,
    `CREATE OR REPLACE FUNCTION audit.chain_entry() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER ${SEARCH_PATH} AS $fn$
    DECLARE
      tip audit.chain_head%ROWTYPE;
    BEGIN
      -- The row lock is held to commit: the next append waits, then reads this one's tip.
      SELECT * INTO STRICT tip FROM audit.chain_head WHERE id FOR UPDATE;
      NEW.seq := tip.seq + 1;
      NEW.prev_hash := tip.hash;
      NEW.hash := encode(sha256(convert_to(
        NEW.prev_hash || E'\\n' || NEW.seq::text || E'\\n' || NEW.payload, 'UTF8')), 'hex');
      UPDATE audit.chain_head SET seq = NEW.seq, hash = NEW.hash WHERE id;
      RETURN NEW;
    END
    $fn$`,
    `CREATE OR REPLACE FUNCTION audit.reject_change() RETURNS trigger
      LANGUAGE plpgsql ${SEARCH_PATH} AS $fn$
    BEGIN
      RAISE EXCEPTION 'audit.entry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $fn$`,
    `CREATE OR REPLACE TRIGGER entry_chain BEFORE INSERT ON audit.entry
      FOR EACH ROW EXECUTE FUNCTION audit.chain_entry()`,
    `CREATE OR REPLACE TRIGGER entry_no_change BEFORE UPDATE OR DELETE ON audit.entry
      FOR EACH ROW EXECUTE FUNCTION audit.reject_change()`,
    `CREATE OR REPLACE TRIGGER entry_no_truncate BEFORE TRUNCATE ON audit.entry
      FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_change()`,
    `CREATE OR REPLACE FUNCTION audit.access_log(p_patient_id text, p_limit integer, p_before_seq bigint)
      RETURNS TABLE (seq bigint, payload text, hash text)
      LANGUAGE sql STABLE SECURITY DEFINER ${SEARCH_PATH} AS $fn$
        SELECT e.seq, e.payload, e.hash FROM audit.entry e
        WHERE e.patient_id = p_patient_id AND (p_before_seq IS NULL OR e.seq < p_before_seq)
        ORDER BY e.seq DESC
        LIMIT least(greatest(coalesce(p_limit, 20), 0), 1000)
      $fn$`,
    `CREATE OR REPLACE FUNCTION audit.head() RETURNS TABLE (seq bigint, hash text)
      LANGUAGE sql STABLE SECURITY DEFINER ${SEARCH_PATH} AS $fn$
        SELECT e.seq, e.hash FROM audit.entry e ORDER BY e.seq DESC LIMIT 1
      $fn$`,
    'REVOKE ALL ON SCHEMA audit FROM PUBLIC',
    'REVOKE ALL ON TABLE audit.entry, audit.chain_head FROM PUBLIC',
    // Functions are executable by PUBLIC unless revoked.
    ...FUNCTIONS.map((f) => `REVOKE ALL ON FUNCTION ${f} FROM PUBLIC`),
  ];
  if (options.owner) {
    const owner = roleIdent(options.owner);
    sql.push(
      `ALTER SCHEMA audit OWNER TO ${owner}`,
      `ALTER TABLE audit.entry OWNER TO ${owner}`,
      `ALTER TABLE audit.chain_head OWNER TO ${owner}`,
      ...FUNCTIONS.map((f) => `ALTER FUNCTION ${f} OWNER TO ${owner}`),
    );
  }
  return sql;
}

/**
 * Grants a service role what it needs to append and to read one patient's
 * access log, and nothing else: INSERT on the payload column only, so it can
 * neither name seq or hash nor read, change or remove entries.
 */
export function grantAuditSql(role: string): string[] {
  const r = roleIdent(role);
  return [
    `REVOKE ALL ON TABLE audit.entry FROM ${r}`,
    `GRANT USAGE ON SCHEMA audit TO ${r}`,
    `GRANT INSERT (payload) ON audit.entry TO ${r}`,
    ...READERS.map((f) => `GRANT EXECUTE ON FUNCTION ${f} TO ${r}`),
  ];
}
