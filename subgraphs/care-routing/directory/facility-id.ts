import { createHash } from 'node:crypto';
import type { FacilitySource } from './facility-input.js';

/**
 * A directory facility's id: UUID-shaped from the SHA-256 of
 * `${source}:${sourceKey}`, so every import of the same file names the same
 * facility the same way.
 */
export function facilityId(source: FacilitySource, sourceKey: string): string {
  const h = createHash('sha256').update(`${source}:${sourceKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
