import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldCipher, FieldContext } from '../../../platform/crypto/index.js';
import { conflict } from '../../../platform/errors/index.js';
import type { CarePreferences } from '../domain/preferences.js';

/** Where a patient's preferences live (bound into the ciphertext). */
const detailContext = (patientId: string): FieldContext => ({
  table: 'routing.care_preference',
  column: 'detail',
  rowId: patientId,
});

/** A patient's stored preferences with their version. */
export interface StoredPreferences extends CarePreferences {
  patientId: string;
  version: number;
  updatedAt: Date;
}

/** The stored preferences of each patient that has them, decrypted, in one statement. */
export async function preferencesOf(
  em: EntityManager,
  cipher: FieldCipher,
  patientIds: readonly string[],
): Promise<Map<string, StoredPreferences>> {
  if (patientIds.length === 0) return new Map();
  const rows = await em.execute<
    { patientId: string; detail: string; version: number; updatedAt: Date }[]
  >(
    `SELECT patient_id AS "patientId", detail, version, updated_at AS "updatedAt"
       FROM care_preference WHERE patient_id IN (SELECT json_array_elements_text(?::json)::uuid)`,
    [JSON.stringify([...new Set(patientIds)])],
  );
  const out = new Map<string, StoredPreferences>();
  for (const r of rows) {
    const p = JSON.parse(
      await cipher.decrypt(em, r.detail, detailContext(r.patientId)),
    ) as CarePreferences;
    out.set(r.patientId, {
      ...p,
      patientId: r.patientId,
      version: r.version,
      updatedAt: new Date(r.updatedAt),
    });
  }
  return out;
}

/**
 * Saves a patient's preferences as the next version (the first is 1). With
 * `expectedVersion`, a stale one is CONFLICT naming the current version.
 * Run inside the audited write's transaction; the row is locked first.
 */
export async function savePreferences(
  em: EntityManager,
  cipher: FieldCipher,
  patientId: string,
  prefs: CarePreferences,
  expectedVersion: number | null,
  by: string,
  now: Date,
): Promise<StoredPreferences> {
  const [current] = await em.execute<{ version: number }[]>(
    'SELECT version FROM care_preference WHERE patient_id = ? FOR UPDATE',
    [patientId],
  );
  const version = (current?.version ?? 0) + 1;
  if (expectedVersion !== null && expectedVersion !== (current?.version ?? 0))
    throw conflict('These preferences have changed since they were read', {
      currentVersion: current?.version ?? 0,
    });
  const detail = await cipher.encrypt(em, JSON.stringify(prefs), detailContext(patientId));
  await em.execute(
    `INSERT INTO care_preference (patient_id, detail, version, updated_at, updated_by)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (patient_id) DO UPDATE
       SET detail = excluded.detail, version = excluded.version,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [patientId, detail, version, now, by],
  );
  return { ...prefs, patientId, version, updatedAt: now };
}
