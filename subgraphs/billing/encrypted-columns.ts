import type { RotationSpec } from '../../platform/crypto/rotate.js';

/** Every encrypted column of the billing schema, as key rotation walks them. */
export const BILLING_ROTATION: RotationSpec[] = [
  {
    table: 'billing.coverage',
    aadTable: 'billing.coverage',
    keyColumns: ['id'],
    rowId: (row) => String(row.id),
    columns: ['member_id'],
  },
];
