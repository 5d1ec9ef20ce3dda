import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { FAIL_FAST_REDIS_OPTIONS } from '../../common/redis/fail-fast-options';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Rate-limit counters in Redis, shared by every instance, with the instance's own memory as the
 * fallback while Redis is unreachable: limits keep applying per instance instead of every sign-in
 * failing (or, worse, none being limited).
 */
export class ResilientThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RateLimitStorage');
  private readonly redis: Redis;
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();
  private down = false;

  constructor(url: string) {
    // A sign-in must not hang on Redis.
    this.redis = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, keyPrefix: 'auth:throttle:' });
    this.redis.on('error', () => this.markDown());
    this.redis.on('ready', () => {
      if (this.down) this.logger.log('Redis is reachable again; rate limits are shared again');
      this.down = false;
    });
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<StorageRecord> {
    if (!this.down) {
      try {
        return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch {
        this.markDown();
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  private markDown(): void {
    if (!this.down) {
      this.logger.warn('Redis unavailable; rate limits are counted per instance meanwhile');
    }
    this.down = true;
  }

  onModuleDestroy(): void {
    this.local.onApplicationShutdown();
    this.redis.disconnect(false);
  }
}
