import type { RotationSpec } from '../../platform/crypto/rotate.js';

/** Every encrypted column of the pharmacy schema, as key rotation walks them. */
export const PHARMACY_ROTATION: RotationSpec[] = [
  {
    table: 'pharmacy.prescription',
    aadTable: 'pharmacy.prescription',
    keyColumns: ['id'],
    rowId: (row) => String(row.id),
    columns: ['detail'],
  },
  {
    table: 'pharmacy.prescription_version',
    aadTable: 'pharmacy.prescription_version',
    keyColumns: ['id', 'version'],
    rowId: (row) => `${String(row.id)}/${String(row.version)}`,
    columns: ['detail'],
  },
  {
    table: 'pharmacy.clinical_fact',
    aadTable: 'pharmacy.clinical_fact',
    keyColumns: ['resource_id'],
    rowId: (row) => String(row.resource_id),
    columns: ['codes'],
  },
];
