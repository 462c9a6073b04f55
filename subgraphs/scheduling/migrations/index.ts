import {
  accessFactsMigration,
  knownPatientsMigration,
} from '../../../platform/authz/access-facts/migration.js';
import type { MigrationEntry } from '../../../platform/db/orm.js';
import { webhookActorMigration } from '../../../platform/webhooks/migration.js';
import { Migration20261126100000Init } from './Migration20261126100000Init.js';
import { Migration20261126110000Notifications } from './Migration20261126110000Notifications.js';
import { Migration20261204100000BookingCaps } from './Migration20261204100000BookingCaps.js';
import { Migration20261215105000ScheduleVersion } from './Migration20261215105000ScheduleVersion.js';

/** Applied in order; never edit one that has shipped, add a new one. */
export const migrations: MigrationEntry[] = [
  { name: 'Migration20261126100000Init', class: Migration20261126100000Init },
  { name: 'Migration20261126110000Notifications', class: Migration20261126110000Notifications },
  accessFactsMigration,
  webhookActorMigration,

  knownPatientsMigration,

  { name: 'Migration20261204100000BookingCaps', class: Migration20261204100000BookingCaps },
  { name: 'Migration20261215105000ScheduleVersion', class: Migration20261215105000ScheduleVersion },
];
