import {
  accessFactsMigration,
  knownPatientsMigration,
} from '../../../platform/authz/access-facts/migration.js';
import type { MigrationEntry } from '../../../platform/db/orm.js';
import { Migration20261206100000Prescriptions } from './Migration20261206100000Prescriptions.js';
import { Migration20261206110000Catalogue } from './Migration20261206110000Catalogue.js';
import { Migration20261206120000Stock } from './Migration20261206120000Stock.js';

/** Applied in order; never edit one that has shipped, add a new one. */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261206100000Prescriptions', class: Migration20261206100000Prescriptions },
  { name: 'Migration20261206110000Catalogue', class: Migration20261206110000Catalogue },
  { name: 'Migration20261206120000Stock', class: Migration20261206120000Stock },
  accessFactsMigration,
  knownPatientsMigration,
];
