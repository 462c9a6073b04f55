import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Remembers the single-use ids (`jti`) of gateway tokens until they expire. */
export interface ReplayCache {
  /** Records `id` until `expiresAt` (epoch ms): true the first time, false for a replay. */
  claim(id: string, expiresAt: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Most ids the memory cache holds. Tokens live 10 s (+5 s tolerance): 200,000
 * unexpired ids is over 13,000 subgraph fetches a second, far beyond one process.
 */
export const DEFAULT_REPLAY_CACHE_ENTRIES = 200_000;

/**
 * In this process's memory. Every token lives the same few seconds, so ids
 * enter in about the order they expire: expired ones are dropped from the front.
 * When `maxEntries` unexpired ids are held, a new id is refused (fail closed)
 * rather than an unexpired one forgotten, which would reopen its token to replay.
 */
export function memoryReplayCache(maxEntries: number = DEFAULT_REPLAY_CACHE_ENTRIES): ReplayCache {
  const seen = new Map<string, number>();
  const sweep = (now: number) => {
    for (const [id, expiresAt] of seen) {
      if (expiresAt > now) break;
      seen.delete(id);
    }
  };
  return {
    claim(id, expiresAt) {
      const now = Date.now();
      sweep(now);
      const known = seen.get(id);
      if (known !== undefined && known > now) return Promise.resolve(false);
      if (known === undefined && seen.size >= maxEntries) return Promise.resolve(false);
      seen.set(id, expiresAt);
      return Promise.resolve(true);
    },
    close: () => Promise.resolve(),
  };
}

/**
 * In Redis (`SET key NX PX`), so every replica of every subgraph refuses an id
 * any of them has seen. While Redis cannot answer, each process goes on in its
 * own memory (a replay then needs another replica within the token's seconds)
 * rather than refusing every request; the outage is logged once.
 */
export function redisReplayCache(url: string, prefix: string, log: Logger): ReplayCache {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectionName: `${prefix}:jti`,
  });
  const fallback = memoryReplayCache();
  let degraded = false;
  redis.on('error', () => undefined);
  redis.on('ready', () => {
    if (degraded) log.info('token replay cache reachable again: checking ids in Redis');
    degraded = false;
  });
  return {
    async claim(id, expiresAt) {
      const ttl = Math.max(1, expiresAt - Date.now());
      try {
        const set = await redis.set(`${prefix}:jti:${id}`, '1', 'PX', ttl, 'NX');
        // Also remembered locally, so a later outage cannot reopen an id seen here.
        await fallback.claim(id, expiresAt);
        return set === 'OK';
      } catch (err) {
        if (!degraded)
          log.warn(
            { err: (err as Error).message },
            'token replay cache unreachable: checking ids in this process until it returns',
          );
        degraded = true;
        return fallback.claim(id, expiresAt);
      }
    },
    async close() {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
