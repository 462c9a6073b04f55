import { Migration } from '@mikro-orm/migrations';
import type { MigrationEntry } from '../../db/orm.js';
import { careTeamAndGrantProjectionSql, patientAndWatermarkSql } from './sql.js';

/** Adds the care-team and break-the-glass projections beside a subgraph's consent projection. */
class AccessFactProjections extends Migration {
  override up(): void {
    for (const sql of careTeamAndGrantProjectionSql) this.addSql(sql);
  }
}

/**
 * The migration entry that gives a subgraph which already has a consent
 * projection the rest of the access facts; list it after the subgraph's own.
 */
export const accessFactsMigration: MigrationEntry = {
  name: 'Migration20261204000000AccessFacts',
  class: AccessFactProjections,
};

/** Adds the known-patient projection and the freshness watermark. */
class KnownPatientsAndWatermark extends Migration {
  override up(): void {
    for (const sql of patientAndWatermarkSql) this.addSql(sql);
  }
}

/**
 * The migration entry for the known patients and the freshness watermark;
 * list it after `accessFactsMigration`. On a database with patients already,
 * run `npm run access-facts:republish` once (it sends `patient.registered`
 * for every patient).
 */
export const knownPatientsMigration: MigrationEntry = {
  name: 'Migration20261211000000KnownPatients',
  class: KnownPatientsAndWatermark,
};
