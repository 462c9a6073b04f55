import { createHash } from 'node:crypto';

/**
 * Merkle trees as RFC 9162 (Certificate Transparency 2.0) defines them:
 * leaves hashed as SHA-256(0x00 || data), nodes as SHA-256(0x01 || left ||
 * right), and a tree of n leaves split at the largest power of two below n.
 * Hashes travel as lowercase hex.
 */

const sha256 = (...parts: Buffer[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

/** The leaf hash of an audit entry: its seq and its stored payload text. */
export function leafHash(seq: number, payload: string): string {
  return sha256(LEAF, Buffer.from(`${seq}\n${payload}`, 'utf8'));
}

/** The hash of an inner node from its two children. */
export function nodeHash(left: string, right: string): string {
  return sha256(NODE, Buffer.from(left, 'hex'), Buffer.from(right, 'hex'));
}

/**
 * The tree's root over leaf hashes. Bottom-up pairing that carries an odd
 * last node up unchanged gives RFC 9162's MTH exactly.
 */
export function merkleRoot(leaves: readonly string[]): string {
  if (leaves.length === 0) return sha256();
  let level = [...leaves];
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? nodeHash(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** RFC 9162 §2.1.3.1: the audit path of leaf `index`, siblings from the leaf up. */
export function inclusionPath(leaves: readonly string[], index: number): string[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
    throw new RangeError(`leaf ${index} is not in a tree of ${leaves.length}`);
  const path: string[] = [];
  let level = [...leaves];
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    if (sibling < level.length) path.push(level[sibling]!);
    const next: string[] = [];
    for (let j = 0; j < level.length; j += 2)
      next.push(j + 1 < level.length ? nodeHash(level[j]!, level[j + 1]!) : level[j]!);
    level = next;
    i >>= 1;
  }
  return path;
}

/**
 * RFC 9162 §2.1.3.2: the root that `path` proves leaf `index` of a tree of
 * `size` leaves is under; undefined when the path cannot belong to such a tree.
 */
export function rootFromPath(
  leaf: string,
  index: number,
  size: number,
  path: readonly string[],
): string | undefined {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size)
    return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        // A right edge carried up: skip the levels where it has no sibling.
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? r : undefined;
}
