import { describe, expect, it } from 'vitest';
import { Rng, Weighted } from './prng.js';

const draws = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.u32());

describe('Rng', () => {
  it('repeats its sequence for the same seed and stream, and differs otherwise', () => {
    expect(draws(new Rng(1, 7), 50)).toEqual(draws(new Rng(1, 7), 50));
    expect(draws(new Rng(1, 7), 50)).not.toEqual(draws(new Rng(2, 7), 50));
    expect(draws(new Rng(1, 7), 50)).not.toEqual(draws(new Rng(1, 8), 50));
  });

  it('pins the sequence, so a change to the generator is a deliberate one', () => {
    expect(draws(new Rng(1), 3)).toMatchInlineSnapshot(`
      [
        2135009292,
        2852864555,
        1292856934,
      ]
    `);
  });

  it('draws floats in [0, 1) with a mean near one half', () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: 20_000 }, () => rng.float());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b) / xs.length).toBeCloseTo(0.5, 1);
  });

  it('makes version-4-shaped UUIDs', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++)
      expect(rng.uuid()).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
  });

  it('keeps int within its bounds and normal within its clamps', () => {
    const rng = new Rng(9);
    for (let i = 0; i < 1000; i++) {
      const n = rng.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
      const x = rng.normal(0, 10, -1, 1);
      expect(x >= -1 && x <= 1).toBe(true);
    }
  });
});

describe('Weighted', () => {
  it('draws in proportion to weight and never a zero-weight item', () => {
    const w = new Weighted([
      ['a', 1],
      ['never', 0],
      ['b', 3],
    ] as const);
    const rng = new Rng(11);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 20_000; i++) counts[w.draw(rng)]++;
    expect(counts.never).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.7);
    expect(counts.b / counts.a).toBeLessThan(3.3);
  });

  it('refuses a list with no weight', () => {
    expect(() => new Weighted([['a', 0]])).toThrow(/no weight/);
  });
});
