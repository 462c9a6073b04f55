import { Migration } from '@mikro-orm/migrations';
import type { MigrationEntry } from '../db/orm.js';
import { webhookActorSql } from './sql.js';

/** Adds the subscriber's actor and the `dropped` delivery state to a subgraph's webhook tables. */
class WebhookActors extends Migration {
  override up(): void {
    for (const sql of webhookActorSql) this.addSql(sql);
  }
}

/** The migration entry of a subgraph that already has webhook tables; list it after its own. */
export const webhookActorMigration: MigrationEntry = {
  name: 'Migration20261204100000WebhookActors',
  class: WebhookActors,
};
