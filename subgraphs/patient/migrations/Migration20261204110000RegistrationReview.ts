import { Migration } from '@mikro-orm/migrations';

/**
 * Duplicate registrations go to review instead of a refusal that tells the
 * caller the MRN exists (issue 11, item 14): the MRN's blind index is no
 * longer unique, and a registration whose MRN matches records the caller may
 * not see is queued, with ids only (no PHI), for medical records staff.
 */
export class Migration20261204110000RegistrationReview extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE patient DROP CONSTRAINT IF EXISTS patient_mrn_index_key');
    this.addSql('CREATE INDEX IF NOT EXISTS patient_mrn_index_idx ON patient (mrn_index)');
    this.addSql(`
      CREATE TABLE registration_review (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES patient (id),
        matches jsonb NOT NULL CHECK (jsonb_typeof(matches) = 'array'),
        reason text NOT NULL CHECK (reason IN ('mrn')),
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'distinct')),
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL
      )`);
    this.addSql(
      "CREATE INDEX registration_review_open_idx ON registration_review (requested_at) WHERE status = 'open'",
    );
  }
}
