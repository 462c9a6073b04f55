/**
 * The sealed log's monthly partitions: `audit.sealed_YYYY_MM`, created ahead by
 * `audit.ensure_partitions` (the sealer calls it), each append-only like its
 * parent, and dropped only by `audit.drop_month` once the month is archived.
 */
export function partitionSql(searchPath: string): string[] {
  return [
    // Creating a partition briefly locks the parent against appends: a short lock_timeout
    // makes a busy moment fail fast (the sealer retries) rather than queue appends behind it.
    `CREATE OR REPLACE FUNCTION audit.ensure_partitions(p_months_ahead integer) RETURNS integer
      LANGUAGE plpgsql SECURITY DEFINER ${searchPath} SET lock_timeout = '2s' AS $fn$
    DECLARE
      first_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
      m date;
      name text;
      created integer := 0;
    BEGIN
      FOR i IN 0 .. least(greatest(p_months_ahead, 0), 24) LOOP
        m := (first_month + make_interval(months => i))::date;
        name := 'sealed_' || to_char(m, 'YYYY_MM');
        CONTINUE WHEN to_regclass('audit.' || name) IS NOT NULL;
        -- Rows already in the default partition for this month keep it from being split off.
        CONTINUE WHEN EXISTS (SELECT 1 FROM audit.sealed_default d
          WHERE d.logged_at >= (m::timestamp AT TIME ZONE 'UTC')
            AND d.logged_at < ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
        EXECUTE format(
          'CREATE TABLE audit.%I PARTITION OF audit.sealed FOR VALUES FROM (%L) TO (%L)',
          name, m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON audit.%I
          FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_change()', name || '_no_truncate', name);
        created := created + 1;
      END LOOP;
      RETURN created;
    END
    $fn$`,
    // Only for the audit owner (granted to no service role): drops an archived month's entries.
    `CREATE OR REPLACE FUNCTION audit.drop_month(p_month text) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER ${searchPath} AS $fn$
    DECLARE
      name text := 'sealed_' || replace(p_month, '-', '_');
    BEGIN
      IF p_month !~ '^[0-9]{4}-[0-9]{2}$' THEN
        RAISE EXCEPTION 'not a month: %', p_month;
      END IF;
      -- Six years at the least (HIPAA's retention of audit records), whatever the caller says.
      IF p_month >= to_char((now() AT TIME ZONE 'UTC') - interval '72 months', 'YYYY-MM') THEN
        RAISE EXCEPTION 'audit month % is not six years old: it must be kept', p_month;
      END IF;
      IF NOT EXISTS (SELECT 1 FROM audit.archive a WHERE a.month = p_month) THEN
        RAISE EXCEPTION 'audit month % is not archived: export it first', p_month;
      END IF;
      IF EXISTS (SELECT 1 FROM audit.intake p
          WHERE to_char(p.logged_at AT TIME ZONE 'UTC', 'YYYY-MM') = p_month) THEN
        RAISE EXCEPTION 'audit month % still has unsealed entries', p_month;
      END IF;
      IF to_regclass('audit.' || name) IS NULL THEN
        RAISE EXCEPTION 'audit month % has no partition of its own', p_month;
      END IF;
      EXECUTE format('DROP TABLE audit.%I', name);
      UPDATE audit.archive SET dropped_at = now() WHERE month = p_month;
    END
    $fn$`,
  ];
}
