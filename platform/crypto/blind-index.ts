import { createHmac } from 'node:crypto';
import { KEY_BYTES } from './keys.js';

const PURPOSE = /^[a-z0-9][a-z0-9_.:-]*$/;

/**
 * The normalised form a blind index is computed over: Unicode NFKC, lower
 * case, trimmed, inner runs of white space collapsed to one space. Exposed so
 * callers can see what counts as "the same" value.
 */
export function normaliseForIndex(part: string): string {
  return part.normalize('NFKC').toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/**
 * A keyed, deterministic token of `parts` for equality search over encrypted
 * columns: HMAC-SHA256 (hex) under the blind-index key, which must be separate
 * from the data keys.
 *
 * Supports exact match only (after {@link normaliseForIndex}): no prefix,
 * range, fuzzy or sorted search. `purpose` (e.g. `patient.mrn`) separates
 * domains, so equal values in different fields give unrelated tokens and
 * cannot be joined across fields. Parts are encoded unambiguously, so
 * `('ab', 'c')` and `('a', 'bc')` differ.
 *
 * Equal inputs give equal tokens: index only values with many possible
 * inputs, or the token frequency itself leaks (e.g. never a bare sex field).
 */
export function blindIndex(key: Buffer, purpose: string, ...parts: string[]): string {
  if (key.length < KEY_BYTES) throw new Error(`The blind-index key must be ${KEY_BYTES} bytes`);
  if (!PURPOSE.test(purpose)) throw new Error(`Invalid blind-index purpose: ${purpose}`);
  if (parts.length === 0) throw new Error('blindIndex needs at least one value');
  // JSON of a string array is injective, so neither purpose nor parts can run into each other.
  const message = JSON.stringify(['cf-bidx-1', purpose, ...parts.map(normaliseForIndex)]);
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}
