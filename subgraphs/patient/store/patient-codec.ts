import type { EntityManager } from '@mikro-orm/postgresql';
import { blindIndex, type FieldCipher } from '../../../platform/crypto/index.js';
import type { PatientRecord } from '../entities/index.js';
import type { PatientData, PatientView } from '../domain/patient-data.js';

const TABLE = 'patient.patient';

/** Blind index of a medical record number (exact match). */
export const mrnIndex = (key: Buffer, mrn: string): string => blindIndex(key, 'patient.mrn', mrn);

/** Blind index of family name plus birth date (exact match, case- and accent-normalised). */
export const familyBirthIndex = (key: Buffer, family: string, birthDate: string): string =>
  blindIndex(key, 'patient.family-birthdate', family, birthDate);

/** Encrypts a patient's PHI into the record's columns, bound to the row id. */
export async function encodePatient(
  em: EntityManager,
  cipher: FieldCipher,
  indexKey: Buffer,
  id: string,
  data: PatientData,
): Promise<Omit<PatientRecord, 'version' | 'active' | 'createdAt' | 'updatedAt'>> {
  const enc = (column: string, value: unknown) =>
    cipher.encrypt(em, JSON.stringify(value), { table: TABLE, column, rowId: id });
  return {
    id,
    mrn: await enc('mrn', data.mrn),
    mrnIndex: mrnIndex(indexKey, data.mrn),
    familyBirthIndex: familyBirthIndex(indexKey, data.name.family, data.birthDate),
    name: await enc('name', data.name),
    birthDate: await enc('birth_date', data.birthDate),
    gender: await enc('gender', data.gender),
    telecom: await enc('telecom', data.telecom),
    address: await enc('address', data.address),
    identifiers: await enc('identifiers', data.identifiers),
    managingOrganizationId: data.managingOrganizationId ?? null,
  };
}

/** A stored record as read: bookkeeping in the clear, PHI as ciphertext. */
export type EncryptedPatient = Pick<
  PatientRecord,
  | 'id'
  | 'version'
  | 'active'
  | 'updatedAt'
  | 'mrn'
  | 'name'
  | 'birthDate'
  | 'gender'
  | 'telecom'
  | 'address'
  | 'identifiers'
  | 'managingOrganizationId'
>;

/** The encrypted fields of a patient record, by their GraphQL (and `PatientData`) names. */
export const PHI_FIELDS = [
  'mrn',
  'name',
  'birthDate',
  'gender',
  'telecom',
  'address',
  'identifiers',
] as const;
export type PhiField = (typeof PHI_FIELDS)[number];

/** The PHI fields among a query's selected field names (`selectedFieldNames`). */
export const phiFieldsIn = (names: ReadonlySet<string>): Set<PhiField> =>
  new Set(PHI_FIELDS.filter((f) => names.has(f)));

const COLUMN: Record<PhiField, string> = {
  mrn: 'mrn',
  name: 'name',
  birthDate: 'birth_date',
  gender: 'gender',
  telecom: 'telecom',
  address: 'address',
  identifiers: 'identifiers',
};

/** A patient decrypted for one read: only the PHI fields it asked for are present. */
export type PartialPatientView = Omit<PatientView, PhiField> & Partial<Pick<PatientView, PhiField>>;

/**
 * Decrypts the `fields` of a record (a read's selection); the others stay
 * encrypted and absent. A ciphertext moved from another row or column fails
 * its integrity check.
 */
export async function decodePatientFields(
  em: EntityManager,
  cipher: FieldCipher,
  r: EncryptedPatient,
  fields: ReadonlySet<PhiField>,
): Promise<PartialPatientView> {
  const view: PartialPatientView = {
    id: r.id,
    version: r.version,
    active: r.active,
    updatedAt: r.updatedAt,
    managingOrganizationId: r.managingOrganizationId ?? null,
  };
  const out = view as Record<PhiField, unknown>;
  for (const f of PHI_FIELDS) {
    if (!fields.has(f)) continue;
    const text = await cipher.decrypt(em, r[f], { table: TABLE, column: COLUMN[f], rowId: r.id });
    out[f] = JSON.parse(text) as unknown;
  }
  return view;
}

/** Decrypts a whole record (writes work on all of it). */
export async function decodePatient(
  em: EntityManager,
  cipher: FieldCipher,
  r: EncryptedPatient,
): Promise<PatientView> {
  return (await decodePatientFields(em, cipher, r, new Set(PHI_FIELDS))) as PatientView;
}

const VERSION_TABLE = 'patient.patient_version';

/** Encrypts a whole-record snapshot for the history table, bound to patient and version. */
export function encodeSnapshot(
  em: EntityManager,
  cipher: FieldCipher,
  patientId: string,
  version: number,
  data: PatientData,
): Promise<string> {
  return cipher.encrypt(em, JSON.stringify(data), {
    table: VERSION_TABLE,
    column: 'snapshot',
    rowId: `${patientId}:${version}`,
  });
}

/** Decrypts a history snapshot. */
export async function decodeSnapshot(
  em: EntityManager,
  cipher: FieldCipher,
  patientId: string,
  version: number,
  snapshot: string,
): Promise<PatientData> {
  const text = await cipher.decrypt(em, snapshot, {
    table: VERSION_TABLE,
    column: 'snapshot',
    rowId: `${patientId}:${version}`,
  });
  return JSON.parse(text) as PatientData;
}
