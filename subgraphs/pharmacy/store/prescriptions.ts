import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldCipher } from '../../../platform/crypto/index.js';
import { conflict } from '../../../platform/errors/index.js';
import type { PrescriptionFacts } from '../domain/medication-request.js';
import type { PrescriptionDetail } from '../domain/prescription-detail.js';
import type { PrescriptionStatus } from '../domain/prescription-status.js';
import { detailContext, versionDetailContext } from './prescription-cipher.js';

export const SCHEMA = 'pharmacy';

/** A prescription's row as read (its detail still encrypted). */
export interface PrescriptionRecord extends Omit<PrescriptionFacts, 'drugName'> {
  detail: string;
  updatedBy: string;
}

/** A prescription with its detail decrypted. */
export interface Prescription extends PrescriptionRecord {
  decrypted: PrescriptionDetail;
}

/** The columns `recordOf` reads, for any statement that selects prescriptions. */
export const PRESCRIPTION_COLUMNS = `p.id, p.patient_id, p.drug_rxcui, p.prescriber_id, p.status, p.version,
  p.quantity, p.refills, p.valid_until, p.authored_at, p.renewal_of, p.labels, p.detail,
  p.updated_at, p.updated_by`;

/** A row of PRESCRIPTION_COLUMNS as a record. */
export function recordOf(r: Record<string, unknown>): PrescriptionRecord {
  return {
    id: String(r.id),
    patientId: String(r.patient_id),
    drugRxcui: String(r.drug_rxcui),
    prescriberId: (r.prescriber_id as string | null) ?? null,
    status: r.status as PrescriptionStatus,
    version: Number(r.version),
    quantity: Number(r.quantity),
    refills: Number(r.refills),
    validUntil: new Date(r.valid_until as string),
    authoredAt: new Date(r.authored_at as string),
    renewalOf: (r.renewal_of as string | null) ?? null,
    labels: (r.labels as string[] | null) ?? [],
    detail: String(r.detail),
    updatedAt: new Date(r.updated_at as string),
    updatedBy: String(r.updated_by),
  };
}

/** Decrypts a record's detail (bound to its row: a detail moved to another row fails). */
export async function decryptPrescription(
  em: EntityManager,
  cipher: FieldCipher,
  rec: PrescriptionRecord,
): Promise<Prescription> {
  const plain = await cipher.decrypt(em, rec.detail, detailContext(rec.id));
  return { ...rec, decrypted: JSON.parse(plain) as PrescriptionDetail };
}

/** A new prescription's columns. */
export type NewPrescription = Omit<PrescriptionRecord, 'detail' | 'updatedBy' | 'version'>;

/** The detail encrypted for the current row and for the version row. */
async function sealed(
  em: EntityManager,
  cipher: FieldCipher,
  id: string,
  version: number,
  detail: PrescriptionDetail,
): Promise<{ current: string; version: string }> {
  const json = JSON.stringify(detail);
  const [current, ofVersion] = await Promise.all([
    cipher.encrypt(em, json, detailContext(id)),
    cipher.encrypt(em, json, versionDetailContext(id, version)),
  ]);
  return { current, version: ofVersion };
}

/** Writes a prescription as version 1 (and its version row), in two statements. */
export async function insertPrescription(
  em: EntityManager,
  cipher: FieldCipher,
  p: NewPrescription,
  detail: PrescriptionDetail,
  by: string,
): Promise<PrescriptionRecord> {
  const s = await sealed(em, cipher, p.id, 1, detail);
  await em.execute(
    `INSERT INTO ${SCHEMA}.prescription (id, patient_id, drug_rxcui, prescriber_id, status, version,
       quantity, refills, valid_until, authored_at, renewal_of, labels, detail, updated_at, updated_by)
     VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?::text[], ?, ?, ?)`,
    [
      p.id,
      p.patientId,
      p.drugRxcui,
      p.prescriberId,
      p.status,
      p.quantity,
      p.refills,
      p.validUntil,
      p.authoredAt,
      p.renewalOf,
      `{${p.labels.join(',')}}`,
      s.current,
      p.updatedAt,
      by,
    ],
  );
  await insertVersion(em, { ...p, version: 1 }, s.version, by);
  return { ...p, version: 1, detail: s.current, updatedBy: by };
}

async function insertVersion(
  em: EntityManager,
  p: Pick<
    PrescriptionRecord,
    'id' | 'version' | 'status' | 'quantity' | 'refills' | 'validUntil' | 'updatedAt'
  >,
  detail: string,
  by: string,
): Promise<void> {
  await em.execute(
    `INSERT INTO ${SCHEMA}.prescription_version (id, version, status, quantity, refills, valid_until,
       detail, changed_at, changed_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [p.id, p.version, p.status, p.quantity, p.refills, p.validUntil, detail, p.updatedAt, by],
  );
}

/** A prescription's current row, locked for a change (`FOR UPDATE`); undefined when missing. */
export async function prescriptionForUpdate(
  em: EntityManager,
  id: string,
): Promise<PrescriptionRecord | undefined> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `SELECT ${PRESCRIPTION_COLUMNS} FROM ${SCHEMA}.prescription p WHERE p.id = ? FOR UPDATE`,
    [id],
  );
  return row ? recordOf(row) : undefined;
}

/**
 * Writes the next version of a locked prescription: CONFLICT (with
 * `currentVersion`) unless `expectedVersion` is its version.
 */
export async function updatePrescription(
  em: EntityManager,
  cipher: FieldCipher,
  current: PrescriptionRecord,
  expectedVersion: number,
  change: { status: PrescriptionStatus; detail: PrescriptionDetail },
  by: string,
  at: Date,
): Promise<PrescriptionRecord> {
  if (current.version !== expectedVersion)
    throw conflict('The prescription has changed since you read it; reload and retry', {
      currentVersion: current.version,
    });
  const version = current.version + 1;
  const s = await sealed(em, cipher, current.id, version, change.detail);
  await em.execute(
    `UPDATE ${SCHEMA}.prescription SET status = ?, version = ?, detail = ?, updated_at = ?, updated_by = ?
     WHERE id = ? AND version = ?`,
    [change.status, version, s.current, at, by, current.id, current.version],
  );
  const next = {
    ...current,
    status: change.status,
    version,
    detail: s.current,
    updatedAt: at,
    updatedBy: by,
  };
  await insertVersion(em, next, s.version, by);
  return next;
}

/** Prescriptions by id (one statement), in no order. */
export async function prescriptionsByIds(
  em: EntityManager,
  ids: readonly string[],
): Promise<PrescriptionRecord[]> {
  if (!ids.length) return [];
  const rows = await em.execute<Record<string, unknown>[]>(
    `SELECT ${PRESCRIPTION_COLUMNS} FROM ${SCHEMA}.prescription p
     WHERE p.id IN (SELECT json_array_elements_text(?::json)::uuid)`,
    [JSON.stringify(ids)],
  );
  return rows.map(recordOf);
}

/** A patient's prescriptions in force (active or on hold), for the safety checks. */
export async function prescriptionsInForce(
  em: EntityManager,
  patientId: string,
): Promise<PrescriptionRecord[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `SELECT ${PRESCRIPTION_COLUMNS} FROM ${SCHEMA}.prescription p
     WHERE p.patient_id = ? AND p.status IN ('active', 'on-hold')`,
    [patientId],
  );
  return rows.map(recordOf);
}

/** Every version of a prescription, newest first, decrypted. */
export async function prescriptionVersions(
  em: EntityManager,
  cipher: FieldCipher,
  rec: PrescriptionRecord,
): Promise<Prescription[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `SELECT version, status, quantity, refills, valid_until, detail, changed_at, changed_by
     FROM ${SCHEMA}.prescription_version WHERE id = ? ORDER BY version DESC`,
    [rec.id],
  );
  return Promise.all(
    rows.map(async (r) => {
      const version = Number(r.version);
      const plain = await cipher.decrypt(
        em,
        String(r.detail),
        versionDetailContext(rec.id, version),
      );
      return {
        ...rec,
        version,
        status: r.status as PrescriptionStatus,
        quantity: Number(r.quantity),
        refills: Number(r.refills),
        validUntil: new Date(r.valid_until as string),
        detail: String(r.detail),
        updatedAt: new Date(r.changed_at as string),
        updatedBy: String(r.changed_by),
        decrypted: JSON.parse(plain) as PrescriptionDetail,
      };
    }),
  );
}

/** Whether anything was dispensed against a prescription. */
export async function hasDispenses(em: EntityManager, id: string): Promise<boolean> {
  const rows = await em.execute<{ one: number }[]>(
    `SELECT 1 AS one FROM ${SCHEMA}.dispense WHERE prescription_id = ? LIMIT 1`,
    [id],
  );
  return rows.length > 0;
}
