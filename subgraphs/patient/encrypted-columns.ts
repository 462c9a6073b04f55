import type { RotationSpec } from '../../platform/crypto/rotate.js';

/** Every encrypted column of the patient schema, as key rotation walks them. */
export const PATIENT_ROTATION: RotationSpec[] = [
  {
    table: 'patient.patient',
    aadTable: 'patient.patient',
    keyColumns: ['id'],
    rowId: (row) => String(row.id),
    columns: ['mrn', 'name', 'birth_date', 'gender', 'telecom', 'address', 'identifiers'],
  },
  {
    table: 'patient.patient_version',
    aadTable: 'patient.patient_version',
    keyColumns: ['patient_id', 'version'],
    rowId: (row) => `${String(row.patient_id)}:${String(row.version)}`,
    columns: ['snapshot'],
  },
  {
    table: 'patient.break_glass_grant',
    aadTable: 'patient.break_glass_grant',
    keyColumns: ['id'],
    rowId: (row) => String(row.id),
    columns: ['reason'],
  },
];
