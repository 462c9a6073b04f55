import { Migration } from '@mikro-orm/migrations';

/**
 * Idempotency keys belong to (client, subject, patient) (issue 11, #17): a
 * payment's key is unique per creator and patient, so one caller's key for
 * one patient never collides with the same key for another.
 */
export class Migration20261211010000PaymentKeyPerPatient extends Migration {
  override up(): void {
    this.addSql(
      'ALTER TABLE payment DROP CONSTRAINT IF EXISTS payment_created_by_idempotency_key_key',
    );
    this.addSql(
      `ALTER TABLE payment ADD CONSTRAINT payment_key_per_patient
         UNIQUE (created_by, patient_id, idempotency_key)`,
    );
  }
}
