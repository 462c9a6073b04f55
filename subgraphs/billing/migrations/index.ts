import {
  accessFactsMigration,
  knownPatientsMigration,
} from '../../../platform/authz/access-facts/migration.js';
import type { MigrationEntry } from '../../../platform/db/orm.js';
import { Migration20261126200000Init } from './Migration20261126200000Init.js';
import { Migration20261126210000Accounts } from './Migration20261126210000Accounts.js';
import { Migration20261204010000PractitionerIds } from './Migration20261204010000PractitionerIds.js';
import { Migration20261211010000PaymentKeyPerPatient } from './Migration20261211010000PaymentKeyPerPatient.js';
import { Migration20261204200000MoneyRows } from './Migration20261204200000MoneyRows.js';
import { Migration20261212010000DispenseCharges } from './Migration20261212010000DispenseCharges.js';

/** Applied in order; never edit one that has shipped, add a new one. */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261126200000Init', class: Migration20261126200000Init },
  { name: 'Migration20261126210000Accounts', class: Migration20261126210000Accounts },
  accessFactsMigration,
  { name: 'Migration20261204010000PractitionerIds', class: Migration20261204010000PractitionerIds },
  knownPatientsMigration,
  { name: 'Migration20261204200000MoneyRows', class: Migration20261204200000MoneyRows },
  {
    name: 'Migration20261211010000PaymentKeyPerPatient',
    class: Migration20261211010000PaymentKeyPerPatient,
  },
  {
    name: 'Migration20261212010000DispenseCharges',
    class: Migration20261212010000DispenseCharges,
  },
];
