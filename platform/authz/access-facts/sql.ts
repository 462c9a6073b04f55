/**
 * DDL of a consuming subgraph's consent projection (run in its own schema by
 * its migration): the patient subgraph's consents, fed by `consent.changed`.
 * Shipped migrations use it as it was; do not change it.
 */
export const consentProjectionSql: readonly string[] = [
  `CREATE TABLE consent_projection (
    id uuid PRIMARY KEY,
    patient_id uuid NOT NULL,
    status text NOT NULL,
    scope text NOT NULL,
    provisions jsonb NOT NULL,
    period_start timestamptz,
    period_end timestamptz,
    changed_at timestamptz NOT NULL
  )`,
  'CREATE INDEX consent_projection_patient_idx ON consent_projection (patient_id)',
];

/**
 * DDL of the care-team and break-the-glass projections (a consuming
 * subgraph's migration runs it in its own schema). Both are read by
 * (practitioner, patient), the question the kernel asks.
 */
export const careTeamAndGrantProjectionSql: readonly string[] = [
  `CREATE TABLE care_team_projection (
    id uuid PRIMARY KEY,
    patient_id uuid NOT NULL,
    practitioner_id text NOT NULL,
    since timestamptz NOT NULL,
    until timestamptz,
    changed_at timestamptz NOT NULL
  )`,
  `CREATE INDEX care_team_projection_member_idx
     ON care_team_projection (practitioner_id, patient_id) WHERE until IS NULL`,
  `CREATE TABLE break_glass_projection (
    id uuid PRIMARY KEY,
    patient_id uuid NOT NULL,
    practitioner_id text NOT NULL,
    granted_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL CHECK (expires_at > granted_at)
  )`,
  `CREATE INDEX break_glass_projection_grant_idx
     ON break_glass_projection (practitioner_id, patient_id, expires_at)`,
];

/**
 * DDL of the known-patient projection (fed by `patient.registered`; a write
 * for a patient it lacks is refused) and of the freshness
 * watermark (the producer's time of the newest heartbeat applied, so reads
 * can tell how far the projections may lag).
 */
export const patientAndWatermarkSql: readonly string[] = [
  `CREATE TABLE patient_projection (
    id uuid PRIMARY KEY,
    registered_at timestamptz NOT NULL
  )`,
  `CREATE TABLE access_facts_watermark (
    producer text PRIMARY KEY,
    produced_at timestamptz NOT NULL,
    applied_at timestamptz NOT NULL
  )`,
];

/**
 * The SQL key of one patient's access-facts lock in the current subgraph
 * schema (a transaction-level advisory lock: shared by writes while they
 * decide and write, exclusive while a projection changes the patient's
 * facts). `param` is the placeholder of the patient id.
 */
export const patientFactsLock = (param: string): string =>
  `hashtextextended(current_schema() || ':access-facts:' || lower(${param}::text), 0)`;
