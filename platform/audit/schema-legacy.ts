/**
 * The upgrade from the single hash chain (audit log format 1): its table is
 * set aside before the new one is created, then its entries are copied into
 * the new log's intake in seq order, where the sealer seals them like any other, and
 * the chain's tables and functions are dropped. Heads signed over the old
 * chain prove nothing about the new log: verify them before upgrading.
 */
export const legacyChainMigrationSql = {
  renameOld: `DO $do$ BEGIN
    IF to_regclass('audit.chain_head') IS NOT NULL AND to_regclass('audit.entry_v1') IS NULL THEN
      ALTER TABLE audit.entry RENAME TO entry_v1;
      ALTER INDEX IF EXISTS audit.entry_patient_seq RENAME TO entry_v1_patient_seq;
      ALTER INDEX IF EXISTS audit.entry_pkey RENAME TO entry_v1_pkey;
    END IF;
  END $do$`,
  copyOld: `DO $do$ BEGIN
    IF to_regclass('audit.entry_v1') IS NOT NULL THEN
      INSERT INTO audit.intake (seq, logged_at, payload) OVERRIDING SYSTEM VALUE
        SELECT o.seq, coalesce((o.payload::jsonb ->> 'occurredAt')::timestamptz, now()), o.payload
        FROM audit.entry_v1 o ORDER BY o.seq;
      PERFORM setval(pg_get_serial_sequence('audit.intake', 'seq'),
        greatest((SELECT max(seq) FROM audit.intake), 1));
      DROP TABLE audit.entry_v1, audit.chain_head;
      DROP FUNCTION IF EXISTS audit.chain_entry();
    END IF;
  END $do$`,
};
