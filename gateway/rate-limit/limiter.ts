import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Principal } from '../../platform/identity/principal.js';
import { closeRedis, connectRateLimitRedis } from './redis.js';
import {
  TIER_NAMES,
  WINDOW_SECONDS,
  tierOf,
  tierTable,
  type TierAssignments,
  type TierLimits,
  type TierName,
} from './tiers.js';

/** How the gateway limits requests (from the environment; see `rateLimitSettings`). */
export interface RateLimitSettings {
  /** Redis shared by every gateway instance; unset: each process counts in its own memory. */
  redisUrl?: string;
  /** Prefix of the Redis keys (deployments sharing a Redis, test runs). */
  keyPrefix?: string;
  /** Points per window of the standard tier (the partner tier follows). */
  perClient?: number;
  perUser?: number;
  /** Requests without a valid token, per window, from one client address. */
  perAddress?: number;
  /** Tiers of the clients the registry knows; others are standard. */
  tiers?: TierAssignments;
}

export type RateLimitScope = 'client' | 'user' | 'address';

export type RateLimitVerdict =
  | { allowed: true }
  | {
      allowed: false;
      scope: RateLimitScope;
      /** Whole seconds until the window that refused ends (at least 1). */
      retryAfter: number;
      /** Points of that window. */
      limit: number;
      /** True for the refusal that crossed the limit (log once per window). */
      crossed: boolean;
    };

export interface RateLimiter {
  readonly store: 'memory' | 'redis';
  /** Takes `points` (operations) from the caller's user and client allowances. */
  consume(caller: Pick<Principal, 'clientId' | 'sub'>, points?: number): Promise<RateLimitVerdict>;
  /** Takes `points` from the allowance of unauthenticated requests of one client address. */
  consumeUnauthenticated(address: string, points?: number): Promise<RateLimitVerdict>;
  /** Closes the Redis connection, if any. */
  close(): Promise<void>;
}

/** The scopes each tier has (the address scope is the same for everyone). */
type TierScope = Exclude<RateLimitScope, 'address'>;
type Limiters = Record<TierName, Record<TierScope, RateLimiterAbstract>>;

/** Unauthenticated requests per window from one address when RATE_LIMIT_PER_ADDRESS is unset. */
export const DEFAULT_PER_ADDRESS = 60;

/** The Redis key of a user: hashed, so subjects are not readable in Redis. */
function userKey(clientId: string, sub: string): string {
  return createHash('sha256').update(clientId).update('\0').update(sub).digest('base64url');
}

function build(
  table: Record<TierName, TierLimits>,
  make: (scope: TierScope, tier: TierName, points: number) => RateLimiterAbstract,
): Limiters {
  const out = {} as Limiters;
  for (const tier of TIER_NAMES)
    out[tier] = {
      client: make('client', tier, table[tier].perClient),
      user: make('user', tier, table[tier].perUser),
    };
  return out;
}

function refusal(
  scope: RateLimitScope,
  limiter: RateLimiterAbstract,
  res: RateLimiterRes,
  points: number,
): RateLimitVerdict {
  return {
    allowed: false,
    scope,
    retryAfter: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    limit: limiter.points,
    crossed: res.consumedPoints > limiter.points && res.consumedPoints - points <= limiter.points,
  };
}

/** Consumes, turning the library's rejection into a verdict; store errors propagate. */
async function take(
  scope: RateLimitScope,
  limiter: RateLimiterAbstract,
  key: string,
  points: number,
): Promise<RateLimitVerdict> {
  try {
    await limiter.consume(key, points);
    return { allowed: true };
  } catch (rejected) {
    if (rejected instanceof RateLimiterRes) return refusal(scope, limiter, rejected, points);
    throw rejected;
  }
}

/**
 * Builds the per-client and per-user limiters of every tier, in memory or in
 * Redis. With Redis, each limiter has an in-memory insurance limiter of the
 * same figures: when Redis is down, each gateway instance goes on enforcing
 * the limits alone (at worst N instances allow N times the figures) rather
 * than refusing every caller or none. Keys blocked for the rest of a window
 * are remembered in memory, so a flooding caller costs Redis one call per window.
 */
export async function createRateLimiter(
  settings: RateLimitSettings,
  log: Logger,
): Promise<RateLimiter> {
  const table = tierTable({ perClient: settings.perClient, perUser: settings.perUser });
  const prefix = settings.keyPrefix ?? 'carefed:rl';
  let redis: Redis | undefined;
  let make: (keyPrefix: string, points: number) => RateLimiterAbstract;
  if (settings.redisUrl) {
    const client = await connectRateLimitRedis(settings.redisUrl, `gateway:${prefix}`, log);
    redis = client;
    make = (keyPrefix, points) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix,
        points,
        duration: WINDOW_SECONDS,
        rejectIfRedisNotReady: true,
        inMemoryBlockOnConsumed: points + 1,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS }),
      });
  } else {
    make = (keyPrefix, points) =>
      new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
  }
  const limiters = build(table, (scope, tier, points) =>
    make(`${prefix}:${scope}:${tier}`, points),
  );
  const anonymous = make(`${prefix}:address`, settings.perAddress ?? DEFAULT_PER_ADDRESS);
  return {
    store: redis ? 'redis' : 'memory',
    async consume(caller, points = 1) {
      const tier = limiters[tierOf(caller.clientId, settings.tiers)];
      // The user first: a user over their allowance must not drain their client's.
      const user = await take('user', tier.user, userKey(caller.clientId, caller.sub), points);
      if (!user.allowed) return user;
      return take('client', tier.client, caller.clientId, points);
    },
    consumeUnauthenticated(address, points = 1) {
      return take('address', anonymous, address, points);
    },
    async close() {
      if (redis) await closeRedis(redis);
    },
  };
}
