import type { FieldContext } from '../../../platform/crypto/index.js';

/** Where a prescription's current detail lives (bound into its ciphertext). */
export const detailContext = (id: string): FieldContext => ({
  table: 'pharmacy.prescription',
  column: 'detail',
  rowId: id,
});

/** Where one version's detail lives. */
export const versionDetailContext = (id: string, version: number): FieldContext => ({
  table: 'pharmacy.prescription_version',
  column: 'detail',
  rowId: `${id}/${version}`,
});

/** Where a clinical fact's codes live. */
export const factCodesContext = (resourceId: string): FieldContext => ({
  table: 'pharmacy.clinical_fact',
  column: 'codes',
  rowId: resourceId,
});
