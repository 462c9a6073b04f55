import { Migration } from '@mikro-orm/migrations';
import { outboxSql } from '../../../platform/events/schema-sql.js';

/** The event outbox and inbox: the patient subgraph publishes consent changes. */
export class Migration20261126110000Outbox extends Migration {
  override up(): void {
    this.addSql(outboxSql('patient'));
  }
}
