import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../log/index.js';
import { memoryReplayCache, redisReplayCache, type ReplayCache } from './replay-cache.js';
import { redisAnswers } from '../../tests/support/redis.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const log = createLogger({ name: 'replay-cache-test', level: 'silent' });

const redisUp = await redisAnswers(REDIS_URL);

const opened: ReplayCache[] = [];
afterAll(() => Promise.all(opened.map((c) => c.close())));

/** Claims an id twice, as a replayed token would. */
async function claimTwice(cache: ReplayCache): Promise<[boolean, boolean]> {
  const id = randomUUID();
  const until = Date.now() + 10_000;
  return [await cache.claim(id, until), await cache.claim(id, until)];
}

describe('token replay cache', () => {
  it('#4 in memory: an id is accepted once until it expires', async () => {
    const cache = memoryReplayCache();
    expect(await claimTwice(cache)).toEqual([true, false]);
    const id = randomUUID();
    expect(await cache.claim(id, Date.now() - 1)).toBe(true);
    // Expired entries are dropped: the id's token itself is no longer accepted by then.
    expect(await cache.claim(id, Date.now() + 1000)).toBe(true);
  });

  it('in memory: holds at most its bound, refusing new ids rather than forgetting live ones', async () => {
    const cache = memoryReplayCache(3);
    const until = Date.now() + 10_000;
    for (const id of ['a', 'b', 'c']) expect(await cache.claim(id, until)).toBe(true);
    expect(await cache.claim('d', until)).toBe(false);
    expect(await cache.claim('a', until)).toBe(false);
    const expiring = memoryReplayCache(2);
    expect(await expiring.claim('x', Date.now() - 1)).toBe(true);
    expect(await expiring.claim('y', until)).toBe(true);
    // The expired id is swept, making room.
    expect(await expiring.claim('z', until)).toBe(true);
    expect(await expiring.claim('y', until)).toBe(false);
  });

  it.skipIf(!redisUp)('#4 in Redis: replicas share the ids they have seen', async () => {
    const prefix = `carefed-test:${randomUUID()}`;
    const one = redisReplayCache(REDIS_URL, prefix, log);
    const two = redisReplayCache(REDIS_URL, prefix, log);
    opened.push(one, two);
    await new Promise((r) => setTimeout(r, 300));
    const id = randomUUID();
    const until = Date.now() + 10_000;
    expect(await one.claim(id, until)).toBe(true);
    expect(await two.claim(id, until)).toBe(false);
  });

  it('#4 with Redis unreachable: refuses replays in this process', async () => {
    const down = redisReplayCache('redis://127.0.0.1:1', 'carefed-test', log);
    opened.push(down);
    expect(await claimTwice(down)).toEqual([true, false]);
  });
});
