import {
  accessFactsMigration,
  knownPatientsMigration,
} from '../../../platform/authz/access-facts/migration.js';
import type { MigrationEntry } from '../../../platform/db/orm.js';
import { Migration20261215100000Directory } from './Migration20261215100000Directory.js';

/** Applied in order; never edit one that has shipped, add a new one. */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261215100000Directory', class: Migration20261215100000Directory },
  accessFactsMigration,
  knownPatientsMigration,
];
