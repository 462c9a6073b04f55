import { Migration } from '@mikro-orm/migrations';

/**
 * Booking caps (issue 11, item 9): the partner app an appointment was booked
 * through, so open future bookings can be counted per app, and an index for
 * counting a patient's open future bookings.
 */
export class Migration20261204100000BookingCaps extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE appointment ADD COLUMN booked_by_client text');
    this.addSql(
      `CREATE INDEX appointment_open_by_client_idx ON appointment (booked_by_client, starts_at)
         WHERE booked_by_client IS NOT NULL AND status IN ('proposed', 'booked')`,
    );
    this.addSql(
      `CREATE INDEX appointment_open_by_patient_idx ON appointment (patient_id, starts_at)
         WHERE status IN ('proposed', 'booked')`,
    );
  }
}
