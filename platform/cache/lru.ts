/** How a {@link BoundedLru} is bounded besides its entry count. */
export interface LruOptions<V> {
  /** The clock expiries are read against (epoch ms); tests replace it. */
  now?: () => number;
  /** Largest total weight held (with `weigh`); default unbounded. */
  maxWeight?: number;
  /** An entry's weight (e.g. characters of a text); default 1. */
  weigh?: (value: V) => number;
}

/**
 * A least-recently-used map with a hard bound on its entries (and optionally on
 * their total weight) and, per entry, an optional expiry. Setting past a bound
 * drops the least recently used entries, so the memory it holds never grows
 * with the traffic it has seen.
 */
export class BoundedLru<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number; weight: number }>();
  private totalWeight = 0;
  private readonly now: () => number;
  private readonly maxWeight: number;
  private readonly weigh: (value: V) => number;

  constructor(
    /** Most entries held at once (at least 1). */
    readonly maxEntries: number,
    opts: LruOptions<V> = {},
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new Error('BoundedLru needs a positive whole number of entries');
    this.now = opts.now ?? (() => Date.now());
    this.maxWeight = opts.maxWeight ?? Infinity;
    this.weigh = opts.weigh ?? (() => 1);
  }

  /** How many entries are held (expired ones included until they are next touched). */
  get size(): number {
    return this.entries.size;
  }

  /** The total weight held. */
  get weight(): number {
    return this.totalWeight;
  }

  /** The value under `key` unless absent or expired; marks it most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.totalWeight -= entry.weight;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores `value` until `expiresAt` (epoch ms; default never), evicting the least
   * recently used entries past either bound. A value heavier than the whole bound
   * is not kept.
   */
  set(key: K, value: V, expiresAt: number = Infinity): void {
    this.delete(key);
    const weight = this.weigh(value);
    if (weight > this.maxWeight) return;
    this.entries.set(key, { value, expiresAt, weight });
    this.totalWeight += weight;
    while (this.entries.size > this.maxEntries || this.totalWeight > this.maxWeight) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalWeight -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.totalWeight = 0;
  }
}
