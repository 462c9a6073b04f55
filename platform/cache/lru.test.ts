import { describe, expect, it } from 'vitest';
import { BoundedLru } from './lru.js';

describe('BoundedLru', () => {
  it('never holds more than its bound, dropping the least recently used', () => {
    const lru = new BoundedLru<string, number>(3);
    for (let i = 0; i < 1000; i++) lru.set(`k${i}`, i);
    expect(lru.size).toBe(3);
    expect(lru.get('k996')).toBeUndefined();
    expect(lru.get('k997')).toBe(997);
    lru.set('k1000', 1000);
    // k997 was read last, so k998 went first.
    expect(lru.get('k998')).toBeUndefined();
    expect(lru.get('k997')).toBe(997);
    expect(lru.get('k999')).toBe(999);
  });

  it('forgets an entry at its expiry', () => {
    let now = 1000;
    const lru = new BoundedLru<string, string>(10, { now: () => now });
    lru.set('a', 'x', 2000);
    lru.set('b', 'y');
    expect(lru.get('a')).toBe('x');
    now = 2000;
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(1);
    expect(lru.get('b')).toBe('y');
  });

  it('keeps the total weight under its bound', () => {
    const lru = new BoundedLru<string, string>(100, { maxWeight: 10, weigh: (v) => v.length });
    lru.set('a', 'xxxx');
    lru.set('b', 'yyyy');
    lru.set('c', 'zzzz');
    expect(lru.weight).toBe(8);
    expect(lru.get('a')).toBeUndefined();
    lru.set('huge', 'h'.repeat(11));
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('b')).toBe('yyyy');
    lru.set('b', 'y');
    expect(lru.weight).toBe(5);
  });

  it('refuses a bound that is not a positive whole number', () => {
    expect(() => new BoundedLru(0)).toThrow();
    expect(() => new BoundedLru(1.5)).toThrow();
  });
});
