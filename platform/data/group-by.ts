/**
 * Rows grouped under the keys a DataLoader asked for, in the keys' order (an
 * empty list for a key with no row): the shape every batch function returns.
 */
export function groupBy<T>(
  keys: readonly string[],
  rows: readonly T[],
  keyOf: (row: T) => string,
): T[][] {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) map.get(keyOf(row))?.push(row);
  return keys.map((k) => map.get(k) ?? []);
}
