import { createHash } from 'node:crypto';

/** `prev_hash` of the first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of one chain entry, byte for byte what the `audit.chain_entry`
 * trigger computes: sha256 hex of `prev_hash \n seq \n payload` in UTF-8.
 */
export function chainHash(prevHash: string, seq: number, payload: string): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${payload}`, 'utf8').digest('hex');
}
