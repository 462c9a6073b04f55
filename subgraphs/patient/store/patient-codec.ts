import type { EntityManager } from '@mikro-orm/postgresql';
import { blindIndex, type FieldCipher } from '../../../platform/crypto/index.js';
import type { PatientRecord } from '../entities/index.js';
import type { Gender, PatientData, PatientView } from '../domain/patient-data.js';

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

/** Decrypts a record; a ciphertext moved from another row or column fails its integrity check. */
export async function decodePatient(
  em: EntityManager,
  cipher: FieldCipher,
  r: PatientRecord,
): Promise<PatientView> {
  const dec = async <T>(column: string, value: string): Promise<T> =>
    JSON.parse(await cipher.decrypt(em, value, { table: TABLE, column, rowId: r.id })) as T;
  return {
    id: r.id,
    version: r.version,
    active: r.active,
    updatedAt: r.updatedAt,
    mrn: await dec<string>('mrn', r.mrn),
    name: await dec('name', r.name),
    birthDate: await dec<string>('birth_date', r.birthDate),
    gender: await dec<Gender>('gender', r.gender),
    telecom: await dec('telecom', r.telecom),
    address: await dec('address', r.address),
    identifiers: await dec('identifiers', r.identifiers),
    managingOrganizationId: r.managingOrganizationId ?? null,
  };
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
