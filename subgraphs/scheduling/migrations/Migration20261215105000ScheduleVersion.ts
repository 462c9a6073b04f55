import { Migration } from '@mikro-orm/migrations';

/**
 * Schedule versions (issue 15): each change of a schedule, or of what its
 * `schedule.changed` event carries of the practitioner, takes the next
 * version, so a consumer's projection applies only newer events.
 */
export class Migration20261215105000ScheduleVersion extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE schedule ADD COLUMN version integer NOT NULL DEFAULT 1');
  }
}
