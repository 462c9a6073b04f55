import type { RotationSpec } from '../../platform/crypto/rotate.js';

/** Open data encrypts no column: it holds no PHI (its store is de-identified at ingestion). */
export const OPEN_DATA_ROTATION: RotationSpec[] = [];
