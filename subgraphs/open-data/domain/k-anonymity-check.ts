/**
 * An independent k-anonymity check of released rows (as read back from a CSV
 * or NDJSON file): every combination of the quasi-identifier columns must be
 * shared by at least k rows. Written apart from k-anonymity.ts on purpose, so
 * that it checks the release rather than repeating the code that made it.
 */

/** The verdict on a set of rows. */
export interface KAnonymityVerdict {
  /** Every class has at least k rows (true for no rows: nothing is released). */
  ok: boolean;
  /** Rows in the smallest class (0 for no rows). */
  smallestClass: number;
  /** Classes with fewer than k rows. */
  violations: number;
}

/**
 * Groups the rows by their quasi-identifier columns (a missing column reads
 * as empty) and checks each group has at least k rows.
 */
export function checkKAnonymity(
  rows: readonly Readonly<Record<string, string>>[],
  qiColumns: readonly string[],
  k: number,
): KAnonymityVerdict {
  if (qiColumns.length === 0) throw new RangeError('name at least one quasi-identifier column');
  const classes = new Map<string, number>();
  for (const row of rows) {
    // JSON of the values: no separator a value could contain can merge two classes.
    const key = JSON.stringify(qiColumns.map((c) => row[c] ?? ''));
    classes.set(key, (classes.get(key) ?? 0) + 1);
  }
  let smallestClass = 0;
  let violations = 0;
  for (const n of classes.values()) {
    smallestClass = smallestClass === 0 ? n : Math.min(smallestClass, n);
    if (n < k) violations++;
  }
  return { ok: violations === 0, smallestClass, violations };
}
