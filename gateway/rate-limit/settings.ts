import type { Config } from '../../platform/config/index.js';
import type { RateLimitSettings } from './limiter.js';

/** The gateway's rate-limit settings from the environment (tiers come from the client registry). */
export function rateLimitSettings(config: Config): RateLimitSettings {
  return {
    redisUrl: config.REDIS_URL,
    keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
    perClient: config.RATE_LIMIT_PER_CLIENT,
    perUser: config.RATE_LIMIT_PER_USER,
    perAddress: config.RATE_LIMIT_PER_ADDRESS,
  };
}
