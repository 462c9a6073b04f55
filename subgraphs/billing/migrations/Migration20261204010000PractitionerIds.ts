import { Migration } from '@mikro-orm/migrations';

/**
 * Practitioner ids are FHIR ids (text) in scheduling and in its appointment
 * event contract; billing's projection of appointments held them as uuid, so
 * an event naming any other id could never apply.
 */
export class Migration20261204010000PractitionerIds extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE appointment_state ALTER COLUMN practitioner_id TYPE text');
  }
}
