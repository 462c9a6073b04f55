/** Spreads a 32-bit value over all bits (splitmix32's finaliser); also mixes seeds and stream numbers. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A seeded PRNG (sfc32) with the draws the generator needs. The same seed and
 * stream give the same sequence on every machine: only 32-bit integer
 * arithmetic feeds it, and the float draws are derived from it in one way.
 * Each patient gets its own stream, so patient `i` does not depend on how many
 * draws patient `i - 1` made.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    const s = mix32(mix32(seed >>> 0) ^ mix32(stream >>> 0));
    this.a = mix32(s);
    this.b = mix32(s ^ 0x1b873593);
    this.c = mix32(s ^ 0xcc9e2d51);
    this.d = 1;
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A uniform unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new Error('pick from an empty list');
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** A normal draw (Box-Muller), clamped to [min, max] when given. */
  normal(mean: number, sd: number, min = -Infinity, max = Infinity): number {
    const u = 1 - this.float();
    const v = this.float();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.min(max, Math.max(min, mean + sd * z));
  }

  /** A Poisson count with mean `lambda` (Knuth; the generator's means are small). */
  poisson(lambda: number): number {
    const limit = Math.exp(-lambda);
    let k = 0;
    for (let p = this.float(); p > limit; p *= this.float()) k++;
    return k;
  }

  /** A version-4-shaped UUID drawn from this stream. */
  uuid(): string {
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    const w = hex(this.u32());
    const x = hex(((this.u32() & 0xffff0fff) | 0x00004000) >>> 0);
    const y = hex(((this.u32() & 0x3fffffff) | 0x80000000) >>> 0);
    const z = hex(this.u32());
    return `${w}-${x.slice(0, 4)}-${x.slice(4)}-${y.slice(0, 4)}-${y.slice(4)}${z}`;
  }
}

/** Picks from a fixed list by weight in O(log n) (cumulative sums, binary search). */
export class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(private readonly items: readonly (readonly [T, number])[]) {
    let sum = 0;
    for (const [, w] of items) {
      if (!(w >= 0)) throw new Error(`negative or NaN weight ${w}`);
      sum += w;
      this.cumulative.push(sum);
    }
    if (!(sum > 0)) throw new Error('weighted list has no weight');
    this.total = sum;
  }

  get size(): number {
    return this.items.length;
  }

  draw(rng: Rng): T {
    const target = rng.float() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]![0];
  }
}
