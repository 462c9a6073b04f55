import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { boundedDocumentStore, boundedStringCache } from './apollo-caches.js';

describe('bounded Apollo caches', () => {
  it('keeps documents within their source-character bound, most recent first', async () => {
    const store = boundedDocumentStore({ entries: 100, characters: 1_000 });
    const text = (i: number) => `{ patient(id: "${String(i).padStart(80, '0')}") { id } }`;
    for (let i = 0; i < 500; i++) await store.set(`k${i}`, parse(text(i)));
    const kept = (
      await Promise.all(Array.from({ length: 500 }, (_, i) => store.get(`k${i}`)))
    ).filter(Boolean).length;
    expect(kept).toBe(Math.floor(1_000 / text(0).length));
    expect(await store.get('k499')).toBeDefined();
    expect(await store.get('k0')).toBeUndefined();
  });

  it('keeps persisted-query texts within bound and TTL', async () => {
    const cache = boundedStringCache({ entries: 2, characters: 100 });
    await cache.set('a', 'x');
    await cache.set('b', 'y', { ttl: 0.001 });
    await cache.set('c', 'z');
    expect(await cache.get('a')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 5));
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toBe('z');
  });
});
