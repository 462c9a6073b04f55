import type { RotationSpec } from '../../platform/crypto/rotate.js';

/** Every encrypted column of the fhir schema, as key rotation walks them. */
export const FHIR_ROTATION: RotationSpec[] = [
  {
    table: 'fhir.resource',
    aadTable: 'fhir.resource',
    keyColumns: ['id'],
    rowId: (row) => String(row.id),
    columns: ['body'],
  },
  {
    table: 'fhir.resource_version',
    aadTable: 'fhir.resource_version',
    keyColumns: ['id', 'version'],
    rowId: (row) => `${String(row.id)}/${String(row.version)}`,
    columns: ['body'],
  },
  {
    table: 'fhir.import_job',
    aadTable: 'fhir.import_job',
    keyColumns: ['id'],
    rowId: (row) => String(row.id),
    columns: ['payload'],
  },
];
