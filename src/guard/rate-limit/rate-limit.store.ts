import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { FAIL_FAST_REDIS_OPTIONS } from '../../common/redis/fail-fast-options';

type StorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** A counter after an addition: how many, and how long until its window ends. */
export interface Count {
  count: number;
  msLeft: number;
}

/**
 * Counters in fixed windows that start at their first addition, which can also be taken back:
 * what the wrong-password budget needs and a throttler cannot do (it only ever adds).
 */
export interface Counters {
  /** Adds one to each key, atomically; answers each key's count and time left. */
  add(keys: string[], windowMs: number): Promise<Count[]>;
  /** Takes one back from each key (an attempt that turned out not to count). */
  takeBack(keys: string[]): Promise<void>;
  /** Forgets the keys. */
  reset(keys: string[]): Promise<void>;
}

/** Sweep expired counters at most this often. */
const SWEEP_MS = 60_000;

/** Counters of this instance only. */
export class MemoryCounters implements Counters {
  private readonly counts = new Map<string, { count: number; endsAt: number }>();
  private nextSweep = Date.now() + SWEEP_MS;

  add(keys: string[], windowMs: number): Promise<Count[]> {
    const now = Date.now();
    this.sweep(now);
    return Promise.resolve(
      keys.map((key) => {
        let entry = this.counts.get(key);
        if (!entry || entry.endsAt <= now) {
          entry = { count: 0, endsAt: now + windowMs };
          this.counts.set(key, entry);
        }
        entry.count += 1;
        return { count: entry.count, msLeft: entry.endsAt - now };
      }),
    );
  }

  takeBack(keys: string[]): Promise<void> {
    for (const key of keys) {
      const entry = this.counts.get(key);
      if (entry && --entry.count <= 0) this.counts.delete(key);
    }
    return Promise.resolve();
  }

  reset(keys: string[]): Promise<void> {
    for (const key of keys) this.counts.delete(key);
    return Promise.resolve();
  }

  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + SWEEP_MS;
    for (const [key, entry] of this.counts) if (entry.endsAt <= now) this.counts.delete(key);
  }
}

/** One INCR per key, the window set on the first; answers count and PTTL pairs. */
const ADD_SCRIPT = `
local out = {}
for _, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local left = redis.call('PTTL', key)
  if left < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
    left = tonumber(ARGV[1])
  end
  out[#out + 1] = count
  out[#out + 1] = left
end
return out`;

/** DECR, deleting a counter that reaches zero (or that had expired: DECR then makes it -1). */
const TAKE_BACK_SCRIPT = `
for _, key in ipairs(KEYS) do
  if redis.call('DECR', key) <= 0 then redis.call('DEL', key) end
end
return 0`;

/** The scripts, called as ioredis calls scripts defined without a key count: count first. */
interface CounterCommands {
  addCounts(keyCount: number, ...keysThenWindowMs: (string | number)[]): Promise<number[]>;
  takeBackCounts(keyCount: number, ...keys: string[]): Promise<number>;
}

/**
 * Where every rate limit counts: the throttler's counters and the wrong-password budget's. In
 * memory for one instance; with REDIS_URL in Redis, shared by every instance, with the instance's
 * own memory as the fallback while Redis is unreachable: limits keep applying per instance
 * instead of every sign-in failing (or, worse, none being limited).
 */
export class RateLimitStore implements ThrottlerStorage, Counters, OnModuleDestroy {
  private readonly logger = new Logger('RateLimitStore');
  private readonly redis?: Redis & CounterCommands;
  private readonly shared?: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();
  private readonly localCounters = new MemoryCounters();
  private down = false;

  constructor(url?: string) {
    if (!url) return;
    // A sign-in must not hang on Redis.
    const redis = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, keyPrefix: 'auth:throttle:' });
    redis.defineCommand('addCounts', { lua: ADD_SCRIPT });
    redis.defineCommand('takeBackCounts', { lua: TAKE_BACK_SCRIPT });
    redis.on('error', () => this.markDown());
    redis.on('ready', () => {
      if (this.down) this.logger.log('Redis is reachable again; rate limits are shared again');
      this.down = false;
    });
    this.redis = redis as Redis & CounterCommands;
    this.shared = new ThrottlerStorageRedisService(redis);
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<StorageRecord> {
    return this.either(
      (shared) => shared.increment(key, ttl, limit, blockDuration, throttlerName),
      () => this.local.increment(key, ttl, limit, blockDuration, throttlerName),
    );
  }

  add(keys: string[], windowMs: number): Promise<Count[]> {
    return this.either(
      async (_, redis) => {
        const flat = await redis.addCounts(keys.length, ...keys, windowMs);
        return keys.map((_key, i) => ({ count: flat[2 * i], msLeft: flat[2 * i + 1] }));
      },
      () => this.localCounters.add(keys, windowMs),
    );
  }

  takeBack(keys: string[]): Promise<void> {
    return this.either(
      async (_, redis) => {
        await redis.takeBackCounts(keys.length, ...keys);
      },
      () => this.localCounters.takeBack(keys),
    );
  }

  reset(keys: string[]): Promise<void> {
    return this.either(
      async (_, redis) => {
        await redis.del(...keys);
      },
      () => this.localCounters.reset(keys),
    );
  }

  private async either<T>(
    shared: (storage: ThrottlerStorageRedisService, redis: Redis & CounterCommands) => Promise<T>,
    local: () => Promise<T>,
  ): Promise<T> {
    if (this.redis && this.shared && !this.down) {
      try {
        return await shared(this.shared, this.redis);
      } catch {
        this.markDown();
      }
    }
    return local();
  }

  private markDown(): void {
    if (!this.down) {
      this.logger.warn('Redis unavailable; rate limits are counted per instance meanwhile');
    }
    this.down = true;
  }

  onModuleDestroy(): void {
    this.local.onApplicationShutdown();
    this.redis?.disconnect(false);
  }
}
