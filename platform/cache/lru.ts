/**
 * A least-recently-used map with a hard bound on its entries and, per entry,
 * an optional expiry. Setting past the bound drops the least recently used
 * entry, so the memory it holds never grows with the traffic it has seen.
 */
export class BoundedLru<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    /** Most entries held at once (at least 1). */
    readonly maxEntries: number,
    /** The clock expiries are read against (epoch ms); tests replace it. */
    private readonly now: () => number = () => Date.now(),
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new Error('BoundedLru needs a positive whole number of entries');
  }

  /** How many entries are held (expired ones included until they are next touched). */
  get size(): number {
    return this.entries.size;
  }

  /** The value under `key` unless absent or expired; marks it most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` until `expiresAt` (epoch ms; default never), evicting the least recently used. */
  set(key: K, value: V, expiresAt: number = Infinity): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
