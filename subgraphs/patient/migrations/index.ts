import type { MigrationEntry } from '../../../platform/db/orm.js';
import { Migration20261126000000Init } from './Migration20261126000000Init.js';
import { Migration20261126110000Outbox } from './Migration20261126110000Outbox.js';
import { Migration20261204110000RegistrationReview } from './Migration20261204110000RegistrationReview.js';

/** Applied in order; never edit one that has shipped, add a new one. */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261126000000Init', class: Migration20261126000000Init },
  { name: 'Migration20261126110000Outbox', class: Migration20261126110000Outbox },
  {
    name: 'Migration20261204110000RegistrationReview',
    class: Migration20261204110000RegistrationReview,
  },
];
