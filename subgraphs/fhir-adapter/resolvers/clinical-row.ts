/** The clinical types and the decrypted row the GraphQL mappers read (one definition each). */
export { CLINICAL_TYPES, type ClinicalType } from '../domain/clinical-kinds.js';
export type { ClinicalRow } from '../store/resource-rows.js';
