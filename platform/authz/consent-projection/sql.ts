/**
 * DDL of a consuming subgraph's consent projection (run in its own schema by
 * its migration): the patient subgraph's consents, fed by `consent.changed`.
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
