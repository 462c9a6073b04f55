import type { FieldContext } from '../../../platform/crypto/index.js';

/** Where a resource's current body lives (bound into its ciphertext). */
export const bodyContext = (id: string): FieldContext => ({
  table: 'fhir.resource',
  column: 'body',
  rowId: id,
});

/** Where one version's body lives. */
export const versionContext = (id: string, version: number): FieldContext => ({
  table: 'fhir.resource_version',
  column: 'body',
  rowId: `${id}/${version}`,
});

/** Where an import job's payload lives. */
export const payloadContext = (id: string): FieldContext => ({
  table: 'fhir.import_job',
  column: 'payload',
  rowId: id,
});
