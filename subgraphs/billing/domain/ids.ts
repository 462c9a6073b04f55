import { createHash } from 'node:crypto';

/**
 * A UUID (version 8, name-based) derived from `parts`: the same cause always
 * yields the same entry id, so posting it again is a no-op, not a second entry.
 */
export function stableId(...parts: string[]): string {
  const h = createHash('sha256').update(JSON.stringify(parts)).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
