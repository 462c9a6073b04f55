import type { RotationSpec } from '../../platform/crypto/rotate.js';

/** Every encrypted column of the routing schema, as key rotation walks them. */
export const CARE_ROUTING_ROTATION: RotationSpec[] = [
  {
    table: 'routing.care_preference',
    aadTable: 'routing.care_preference',
    keyColumns: ['patient_id'],
    rowId: (row) => String(row.patient_id),
    columns: ['detail'],
  },
];
