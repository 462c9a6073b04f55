import type { MigrationEntry } from '../../../platform/db/orm.js';
import { Migration20261220100000Facts } from './Migration20261220100000Facts.js';
import { Migration20261220110000Privacy } from './Migration20261220110000Privacy.js';

/** Applied in order; never edit one that has shipped, add a new one. */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261220100000Facts', class: Migration20261220100000Facts },
  { name: 'Migration20261220110000Privacy', class: Migration20261220110000Privacy },
];
