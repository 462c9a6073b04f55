import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How long the gateway waits for Redis at start before counting in memory. */
const CONNECT_WAIT_MS = 2000;

/**
 * A Redis connection for rate-limit counts, tuned to fail fast: no offline
 * queue and no retried commands, so while Redis is away every call falls to
 * the in-memory insurance limiter at once instead of waiting on a socket.
 * It keeps reconnecting in the background; outages and recoveries are logged
 * once each (never the URL, which may carry a password).
 */
export async function connectRateLimitRedis(
  url: string,
  name: string,
  log: Logger,
): Promise<Redis> {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 250,
    connectTimeout: CONNECT_WAIT_MS,
    connectionName: name,
  });
  let up = false;
  let reported = false;
  redis.on('ready', () => {
    if (reported) log.info('rate-limit store reachable again: counting in Redis');
    up = true;
    reported = false;
  });
  redis.on('error', (err: Error) => {
    if (reported) return;
    reported = true;
    log.warn(
      { err: err.message, wasUp: up },
      'rate-limit store unreachable: counting in this process until it returns',
    );
  });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), CONNECT_WAIT_MS);
    const settle = (ok: boolean) => () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      resolve(ok);
    };
    const onReady = settle(true);
    const onError = settle(false);
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
  if (!ready && !reported) {
    reported = true;
    log.warn('rate-limit store not ready at start: counting in this process until it is');
  }
  return redis;
}

/** Closes the connection: politely when it is up, at once when it is not. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
  } else {
    redis.disconnect();
  }
}
