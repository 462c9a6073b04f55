import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { inclusionPath, leafHash, merkleRoot, nodeHash, rootFromPath } from './merkle.js';

// RFC 9162 §2.1.1 and §2.1.3.1 written as the RFC does, recursively, to check the iterative code.
const largestPow2Below = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
function mth(d: string[]): string {
  if (d.length === 0) return createHash('sha256').digest('hex');
  if (d.length === 1) return d[0]!;
  const k = largestPow2Below(d.length);
  return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
}
function path(m: number, d: string[]): string[] {
  if (d.length <= 1) return [];
  const k = largestPow2Below(d.length);
  return m < k
    ? [...path(m, d.slice(0, k)), mth(d.slice(k))]
    : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(i + 1, `{"n":${i}}`));

describe('RFC 9162 Merkle trees', () => {
  it('hashes leaves with a 0x00 prefix over seq and payload', () => {
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), Buffer.from('7\n{"a":1}')]))
      .digest('hex');
    expect(leafHash(7, '{"a":1}')).toBe(expected);
  });

  it('computes the root and audit paths the RFC defines, for every size up to 33', () => {
    for (let n = 1; n <= 33; n++) {
      const d = leaves(n);
      expect(merkleRoot(d)).toBe(mth(d));
      for (let m = 0; m < n; m++) {
        const p = inclusionPath(d, m);
        expect(p).toEqual(path(m, d));
        expect(rootFromPath(d[m]!, m, n, p)).toBe(mth(d));
      }
    }
  });

  it('rejects a forged leaf, a wrong index, a wrong size and a tampered path', () => {
    const d = leaves(11);
    const root = merkleRoot(d);
    const p = inclusionPath(d, 6);
    expect(rootFromPath(d[6]!, 6, 11, p)).toBe(root);
    expect(rootFromPath(leafHash(7, '{"n":99}'), 6, 11, p)).not.toBe(root);
    expect(rootFromPath(d[6]!, 5, 11, p)).not.toBe(root);
    expect(rootFromPath(d[6]!, 6, 7, p)).not.toBe(root);
    expect(rootFromPath(d[6]!, 6, 11, [...p.slice(0, -1), d[0]!])).not.toBe(root);
    expect(rootFromPath(d[6]!, 6, 11, [...p, d[0]!])).toBeUndefined();
    expect(rootFromPath(d[6]!, 11, 11, p)).toBeUndefined();
  });
});
