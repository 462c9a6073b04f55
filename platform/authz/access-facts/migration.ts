import { Migration } from '@mikro-orm/migrations';
import type { MigrationEntry } from '../../db/orm.js';
import { careTeamAndGrantProjectionSql } from './sql.js';

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
