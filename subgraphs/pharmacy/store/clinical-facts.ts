import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldCipher } from '../../../platform/crypto/index.js';
import type { ClinicalChangedData } from '../../contracts/clinical-events.js';
import { factCodesContext } from './prescription-cipher.js';
import { SCHEMA } from './prescriptions.js';

/** The clinical record's types pharmacy keeps (PHARMACY_CLINICAL_TYPES), and as what. */
const KIND: Readonly<Record<string, 'allergy' | 'medication'>> = {
  AllergyIntolerance: 'allergy',
  MedicationRequest: 'medication',
  MedicationStatement: 'medication',
};

/**
 * Statuses in force. An allergy with no clinical status is taken as active
 * (a missed allergy harms; a shown one is checked by the prescriber); an
 * outside medication counts while active, on hold or intended.
 */
const IN_FORCE: Readonly<Record<'allergy' | 'medication', ReadonlySet<string | null>>> = {
  allergy: new Set(['active', null]),
  medication: new Set(['active', 'on-hold', 'intended']),
};

/** One coding of a fact. */
export interface FactCoding {
  system: string | null;
  code: string;
}

/** An allergy or outside medication of a patient, decrypted. */
export interface ClinicalFact {
  resourceId: string;
  patientId: string;
  kind: 'allergy' | 'medication';
  resourceType: string;
  version: number;
  status: string | null;
  labels: string[];
  codes: FactCoding[];
  start: string | null;
}

/** What the encrypted `codes` column holds. */
interface SealedFact {
  resourceType: string;
  status: string | null;
  codes: FactCoding[];
  start: string | null;
}

/**
 * Applies one `clinical.changed` to pharmacy's facts: the newest version of
 * an allergy or outside medication wins (an older or repeated event changes
 * nothing); its codes are kept encrypted. Returns whether it changed a row;
 * other resource types are not pharmacy's and are ignored.
 */
export async function applyClinicalChange(
  em: EntityManager,
  cipher: FieldCipher,
  d: ClinicalChangedData,
): Promise<boolean> {
  const kind = KIND[d.resourceType];
  if (!kind) return false;
  const active = !d.enteredInError && IN_FORCE[kind].has(d.status);
  const sealed: SealedFact = {
    resourceType: d.resourceType,
    status: d.status,
    codes: d.codes,
    start: d.start,
  };
  const codes = await cipher.encrypt(em, JSON.stringify(sealed), factCodesContext(d.resourceId));
  const rows = await em.execute<{ resource_id: string }[]>(
    `INSERT INTO ${SCHEMA}.clinical_fact (resource_id, patient_id, kind, version, active, labels, codes, updated_at)
     VALUES (?, ?, ?, ?, ?, ?::text[], ?, now())
     ON CONFLICT (resource_id) DO UPDATE SET version = EXCLUDED.version, active = EXCLUDED.active,
       labels = EXCLUDED.labels, codes = EXCLUDED.codes, updated_at = EXCLUDED.updated_at
     WHERE clinical_fact.version < EXCLUDED.version AND clinical_fact.patient_id = EXCLUDED.patient_id
     RETURNING resource_id`,
    [d.resourceId, d.patientId, kind, d.version, active, `{${d.labels.join(',')}}`, codes],
  );
  return rows.length > 0;
}

/** The allergies and outside medications in force of one patient (one statement), decrypted. */
export async function factsInForce(
  em: EntityManager,
  cipher: FieldCipher,
  patientIds: readonly string[],
): Promise<ClinicalFact[]> {
  if (!patientIds.length) return [];
  const rows = await em.execute<Record<string, unknown>[]>(
    `SELECT resource_id, patient_id, kind, version, labels, codes FROM ${SCHEMA}.clinical_fact
     WHERE patient_id IN (SELECT json_array_elements_text(?::json)::uuid) AND active
     ORDER BY resource_id`,
    [JSON.stringify(patientIds)],
  );
  return Promise.all(
    rows.map(async (r) => {
      const id = String(r.resource_id);
      const sealed = JSON.parse(
        await cipher.decrypt(em, String(r.codes), factCodesContext(id)),
      ) as SealedFact;
      return {
        resourceId: id,
        patientId: String(r.patient_id),
        kind: r.kind as 'allergy' | 'medication',
        resourceType: sealed.resourceType,
        version: Number(r.version),
        status: sealed.status,
        labels: (r.labels as string[] | null) ?? [],
        codes: sealed.codes,
        start: sealed.start,
      };
    }),
  );
}
