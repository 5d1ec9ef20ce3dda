import type { RedisOptions } from 'ioredis';

/**
 * Redis connections that never make a request wait: commands fail at once while Redis is
 * unreachable (no offline queue, one retry), and the connection keeps retrying in the background
 * (every 0.2 to 2 s). Callers fall back to what the instance knows.
 */
export const FAIL_FAST_REDIS_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
};
