import type { RotationSpec } from '../../platform/crypto/rotate.js';

/** Every encrypted column of the scheduling schema, as key rotation walks them. */
export const SCHEDULING_ROTATION: RotationSpec[] = [
  {
    table: 'scheduling.appointment',
    aadTable: 'scheduling.appointment',
    keyColumns: ['id'],
    rowId: (row) => String(row.id),
    columns: ['reason'],
  },
  {
    table: 'scheduling.webhook_subscription',
    aadTable: 'scheduling.webhook_subscription',
    keyColumns: ['id'],
    rowId: (row) => String(row.id),
    columns: ['secret'],
  },
];
