import {
  accessFactsMigration,
  knownPatientsMigration,
} from '../../../platform/authz/access-facts/migration.js';
import type { MigrationEntry } from '../../../platform/db/orm.js';
import { Migration20261205100000ClinicalRecord } from './Migration20261205100000ClinicalRecord.js';

/** Applied in order; never edit one that has shipped, add a new one. */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261205100000ClinicalRecord', class: Migration20261205100000ClinicalRecord },
  accessFactsMigration,
  knownPatientsMigration,
];
