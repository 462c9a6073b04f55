import {
  accessFactsMigration,
  knownPatientsMigration,
} from '../../../platform/authz/access-facts/migration.js';
import type { MigrationEntry } from '../../../platform/db/orm.js';
import { Migration20261215100000Directory } from './Migration20261215100000Directory.js';
import { Migration20261215110000Availability } from './Migration20261215110000Availability.js';

/** Applied in order; never edit one that has shipped, add a new one. */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261215100000Directory', class: Migration20261215100000Directory },
  { name: 'Migration20261215110000Availability', class: Migration20261215110000Availability },
  accessFactsMigration,
  knownPatientsMigration,
];
