import { legacyChainMigrationSql } from './schema-legacy.js';
import { partitionSql } from './schema-partitions.js';

// pg_temp goes last explicitly: left out, it is searched first for tables, and a caller
// could shadow audit.sealed with a temporary table inside these SECURITY DEFINER functions.
export const SEARCH_PATH = 'SET search_path = pg_catalog, audit, pg_temp';

/** Functions every service role may call: read one patient's log and proofs, seal, keep partitions. */
const SERVICE_FUNCTIONS = [
  'audit.access_log(text, integer, bigint)',
  'audit.head()',
  'audit.proof_material(bigint, text)',
  'audit.unsealed(integer)',
  'audit.record_batch(bigint, text, integer, text, text, text, text, text, bigint[], text[])',
  'audit.ensure_partitions(integer)',
];
const FUNCTIONS = [
  ...SERVICE_FUNCTIONS,
  'audit.reject_change()',
  'audit.archive_guard()',
  'audit.drop_month(text)',
];
const TABLES = ['audit.intake', 'audit.sealed', 'audit.batch', 'audit.seal', 'audit.archive'];

/** Quotes a role name after checking it is a plain identifier. */
export function roleIdent(role: string): string {
  if (!/^[a-z_][a-z0-9_$]{0,62}$/.test(role)) throw new TypeError(`Not a plain role name: ${role}`);
  return `"${role}"`;
}

/** A trigger refusing every change (UPDATE, DELETE, TRUNCATE) to an insert-only table. */
function insertOnlySql(table: string, name: string): string[] {
  return [
    `CREATE OR REPLACE TRIGGER ${name}_no_change BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION audit.reject_change()`,
    `CREATE OR REPLACE TRIGGER ${name}_no_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_change()`,
  ];
}

const TABLES_SQL = [
  // Appends are plain single-table inserts here: no trigger, no lock, nothing read. The
  // database numbers them (seq) and stamps them (logged_at); the sealer moves them, sealed,
  // into audit.sealed within a seal interval.
  `CREATE TABLE IF NOT EXISTS audit.intake (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    logged_at timestamptz NOT NULL DEFAULT now(),
    payload text NOT NULL CHECK (jsonb_typeof(payload::jsonb) = 'object')
  )`,
  // Sealed entries, partitioned by the month they were logged in.
  `CREATE TABLE IF NOT EXISTS audit.sealed (
    seq bigint NOT NULL CHECK (seq > 0),
    logged_at timestamptz NOT NULL,
    payload text NOT NULL,
    patient_id text GENERATED ALWAYS AS (payload::jsonb ->> 'patientId') STORED,
    PRIMARY KEY (seq, logged_at)
  ) PARTITION BY RANGE (logged_at)`,
  'CREATE TABLE IF NOT EXISTS audit.sealed_default PARTITION OF audit.sealed DEFAULT',
  `CREATE INDEX IF NOT EXISTS sealed_patient_seq ON audit.sealed (patient_id, seq DESC)
    WHERE patient_id IS NOT NULL`,
  // One row per sealed batch: its signed Merkle tree head, chained to the batch before.
  `CREATE TABLE IF NOT EXISTS audit.batch (
    batch bigint PRIMARY KEY CHECK (batch > 0),
    month text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
    size integer NOT NULL CHECK (size > 0),
    root text NOT NULL,
    prev text NOT NULL,
    sealed_at text NOT NULL,
    head_hash text NOT NULL UNIQUE,
    jws text NOT NULL
  )`,
  // Where each entry sits in its batch's tree, and its leaf hash.
  `CREATE TABLE IF NOT EXISTS audit.seal (
    seq bigint PRIMARY KEY,
    -- No foreign key to audit.batch: a per-row check would cost every seal; audit:verify checks.
    batch bigint NOT NULL,
    idx integer NOT NULL CHECK (idx >= 0),
    leaf text NOT NULL,
    UNIQUE (batch, idx)
  )`,
  // Months exported to files, and when their partitions were dropped (by audit.drop_month only).
  `CREATE TABLE IF NOT EXISTS audit.archive (
    month text PRIMARY KEY,
    first_batch bigint NOT NULL,
    last_batch bigint NOT NULL,
    entries bigint NOT NULL,
    file_sha256 text NOT NULL,
    exported_at timestamptz NOT NULL DEFAULT now(),
    dropped_at timestamptz
  )`,
  // Every entry, sealed or not, for the owner's and auditors' SQL (service roles cannot read it).
  `CREATE OR REPLACE VIEW audit.entry AS
    SELECT seq, logged_at, payload, patient_id, true AS sealed FROM audit.sealed
    UNION ALL
    SELECT seq, logged_at, payload, payload::jsonb ->> 'patientId', false FROM audit.intake`,
];

const TRIGGERS_SQL = [
  `CREATE OR REPLACE FUNCTION audit.reject_change() RETURNS trigger
    LANGUAGE plpgsql ${SEARCH_PATH} AS $fn$
  BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END
  $fn$`,
  // The intake is never changed, and only the sealer (record_batch) removes what it moved.
  `CREATE OR REPLACE TRIGGER intake_no_update BEFORE UPDATE ON audit.intake
    FOR EACH ROW EXECUTE FUNCTION audit.reject_change()`,
  `CREATE OR REPLACE TRIGGER intake_no_truncate BEFORE TRUNCATE ON audit.intake
    FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_change()`,
  ...insertOnlySql('audit.sealed', 'sealed'),
  ...insertOnlySql('audit.sealed_default', 'sealed_default'),
  ...insertOnlySql('audit.batch', 'batch'),
  ...insertOnlySql('audit.seal', 'seal'),
  // An archive record is never removed, and never changed once its month was dropped.
  `CREATE OR REPLACE FUNCTION audit.archive_guard() RETURNS trigger
    LANGUAGE plpgsql ${SEARCH_PATH} AS $fn$
  BEGIN
    IF TG_OP = 'UPDATE' AND OLD.dropped_at IS NULL THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'archive is append-only: % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END
  $fn$`,
  `CREATE OR REPLACE TRIGGER archive_guard BEFORE UPDATE OR DELETE ON audit.archive
    FOR EACH ROW EXECUTE FUNCTION audit.archive_guard()`,
  `CREATE OR REPLACE TRIGGER archive_no_truncate BEFORE TRUNCATE ON audit.archive
    FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_change()`,
];

const FUNCTIONS_SQL = [
  `CREATE OR REPLACE FUNCTION audit.access_log(p_patient_id text, p_limit integer, p_before_seq bigint)
    RETURNS TABLE (seq bigint, payload text, hash text)
    LANGUAGE sql STABLE SECURITY DEFINER ${SEARCH_PATH} AS $fn$
      SELECT x.seq, x.payload, x.hash FROM (
        (SELECT e.seq, e.payload, s.leaf AS hash
           FROM audit.sealed e LEFT JOIN audit.seal s ON s.seq = e.seq
          WHERE e.patient_id = p_patient_id AND (p_before_seq IS NULL OR e.seq < p_before_seq)
          ORDER BY e.seq DESC LIMIT least(greatest(coalesce(p_limit, 20), 0), 1000))
        UNION ALL
        -- Not yet sealed: at most a seal interval's worth of entries.
        SELECT i.seq, i.payload, NULL FROM audit.intake i
          WHERE i.payload::jsonb ->> 'patientId' = p_patient_id
            AND (p_before_seq IS NULL OR i.seq < p_before_seq)
      ) x
      ORDER BY x.seq DESC
      LIMIT least(greatest(coalesce(p_limit, 20), 0), 1000)
    $fn$`,
  // The newest sealed batch, the log's head: seq is the batch number.
  `CREATE OR REPLACE FUNCTION audit.head() RETURNS TABLE (seq bigint, hash text)
    LANGUAGE sql STABLE SECURITY DEFINER ${SEARCH_PATH} AS $fn$
      SELECT b.batch, b.head_hash FROM audit.batch b ORDER BY b.batch DESC LIMIT 1
    $fn$`,
  // What an inclusion proof of one patient's entry needs: its batch's head and every leaf.
  `CREATE OR REPLACE FUNCTION audit.proof_material(p_seq bigint, p_patient_id text)
    RETURNS TABLE (payload text, batch bigint, idx integer, month text, size integer, root text,
      prev text, sealed_at text, jws text, leaves text[])
    LANGUAGE sql STABLE SECURITY DEFINER ${SEARCH_PATH} AS $fn$
      SELECT e.payload, b.batch, s.idx, b.month, b.size, b.root, b.prev, b.sealed_at, b.jws,
        (SELECT array_agg(l.leaf ORDER BY l.idx) FROM audit.seal l WHERE l.batch = b.batch)
      FROM audit.sealed e JOIN audit.seal s ON s.seq = e.seq JOIN audit.batch b ON b.batch = s.batch
      WHERE e.seq = p_seq AND e.patient_id = p_patient_id
    $fn$`,
  `CREATE OR REPLACE FUNCTION audit.unsealed(p_limit integer)
    RETURNS TABLE (seq bigint, logged_at timestamptz, payload text)
    LANGUAGE sql STABLE SECURITY DEFINER ${SEARCH_PATH} AS $fn$
      SELECT i.seq, i.logged_at, i.payload FROM audit.intake i ORDER BY i.seq
      LIMIT least(greatest(coalesce(p_limit, 1000), 1), 10000)
    $fn$`,
  // Records one sealed batch and moves its entries into the sealed log. The database checks what
  // it can cheaply: the batch follows the last one, every entry was in the intake and is sealed
  // once, every leaf hash is the entry's, and the entries were logged in the batch's month. The
  // root and signature are checked by audit:verify.
  `CREATE OR REPLACE FUNCTION audit.record_batch(p_batch bigint, p_month text, p_size integer,
      p_root text, p_prev text, p_sealed_at text, p_head_hash text, p_jws text,
      p_seqs bigint[], p_leaves text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER ${SEARCH_PATH} AS $fn$
  DECLARE
    last audit.batch%ROWTYPE;
    n integer;
    ok integer;
    month_start timestamptz := (p_month || '-01')::timestamp AT TIME ZONE 'UTC';
  BEGIN
    PERFORM pg_advisory_xact_lock(7201, 1);
    SELECT * INTO last FROM audit.batch ORDER BY batch DESC LIMIT 1;
    IF p_batch <> coalesce(last.batch, 0) + 1 OR p_prev <> coalesce(last.head_hash, repeat('0', 64)) THEN
      RAISE EXCEPTION 'audit batch % does not follow the last sealed batch', p_batch
        USING ERRCODE = 'serialization_failure';
    END IF;
    IF p_size < 1 OR cardinality(p_seqs) <> p_size OR cardinality(p_leaves) <> p_size THEN
      RAISE EXCEPTION 'audit batch % has % entries, not %', p_batch, cardinality(p_seqs), p_size;
    END IF;
    -- Moves the entries from the intake into the sealed log in one statement, checking each
    -- was there, that its leaf hash is its own and that it was logged in the batch's month.
    WITH moved AS (
      DELETE FROM audit.intake WHERE seq = ANY (p_seqs) RETURNING seq, logged_at, payload
    ), kept AS (
      INSERT INTO audit.sealed (seq, logged_at, payload)
        SELECT m.seq, m.logged_at, m.payload FROM moved m
    )
    SELECT count(*), count(*) FILTER (WHERE
        u.l = encode(sha256('\\x00'::bytea || convert_to(m.seq::text || E'\\n' || m.payload, 'UTF8')), 'hex')
        AND m.logged_at >= month_start AND m.logged_at < month_start + interval '1 month')
      INTO n, ok
      FROM moved m JOIN unnest(p_seqs, p_leaves) u(s, l) ON u.s = m.seq;
    IF n <> p_size THEN
      RAISE EXCEPTION 'audit batch %: entries already sealed or never appended', p_batch
        USING ERRCODE = 'serialization_failure';
    END IF;
    IF ok <> p_size THEN
      RAISE EXCEPTION 'audit batch %: a leaf hash or month does not match its entry', p_batch;
    END IF;
    INSERT INTO audit.batch (batch, month, size, root, prev, sealed_at, head_hash, jws)
      VALUES (p_batch, p_month, p_size, p_root, p_prev, p_sealed_at, p_head_hash, p_jws);
    INSERT INTO audit.seal (seq, batch, idx, leaf)
      SELECT u.s, p_batch, (u.i - 1)::integer, u.l
      FROM unnest(p_seqs, p_leaves) WITH ORDINALITY AS u(s, l, i);
  END
  $fn$`,
];

/**
 * Provisioning statements for the append-only, Merkle-sealed audit log, run
 * in order by a superuser (PostgreSQL 14+). Idempotent, and upgrades the
 * earlier single hash chain (its entries are carried over and sealed anew).
 * With `owner`, every audit object is handed to that role (best a NOLOGIN
 * role), so the SECURITY DEFINER functions do not run as a superuser.
 */
export function auditSchemaSql(options: { owner?: string } = {}): string[] {
  const sql = [
    'CREATE SCHEMA IF NOT EXISTS audit',
    legacyChainMigrationSql.renameOld,
    ...TABLES_SQL,
    ...TRIGGERS_SQL,
    ...FUNCTIONS_SQL,
    ...partitionSql(SEARCH_PATH),
    // Partitions first, so carried-over entries of recent months land in their own.
    'SELECT audit.ensure_partitions(3)',
    legacyChainMigrationSql.copyOld,
    'REVOKE ALL ON SCHEMA audit FROM PUBLIC',
    `REVOKE ALL ON TABLE ${TABLES.join(', ')}, audit.entry FROM PUBLIC`,
    // Functions are executable by PUBLIC unless revoked.
    ...FUNCTIONS.map((f) => `REVOKE ALL ON FUNCTION ${f} FROM PUBLIC`),
  ];
  if (options.owner) {
    const owner = roleIdent(options.owner);
    sql.push(
      `ALTER SCHEMA audit OWNER TO ${owner}`,
      // Partitions, the default one included, the view, and identity sequences follow their table.
      `DO $do$ DECLARE t regclass; BEGIN
        FOR t IN SELECT c.oid::regclass FROM pg_class c
          WHERE c.relnamespace = 'audit'::regnamespace AND c.relkind IN ('r', 'p', 'v') LOOP
          EXECUTE format('ALTER TABLE %s OWNER TO ${owner}', t);
        END LOOP;
      END $do$`,
      ...FUNCTIONS.map((f) => `ALTER FUNCTION ${f} OWNER TO ${owner}`),
    );
  }
  return sql;
}

/**
 * Grants a service role what it needs to append, to read one patient's
 * access log and its proofs, and to seal, and nothing else: INSERT on the
 * payload column only, so it can neither name seq nor read, change or
 * remove entries.
 */
export function grantAuditSql(role: string): string[] {
  const r = roleIdent(role);
  return [
    `REVOKE ALL ON TABLE ${TABLES.join(', ')}, audit.entry FROM ${r}`,
    `GRANT USAGE ON SCHEMA audit TO ${r}`,
    `GRANT INSERT (payload) ON audit.intake TO ${r}`,
    ...SERVICE_FUNCTIONS.map((f) => `GRANT EXECUTE ON FUNCTION ${f} TO ${r}`),
  ];
}
