import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { SharedStore } from '../common/redis/shared-store';

/**
 * Short-lived values that are used once: a callback's state (claimed when the callback is
 * answered, so a replay is refused) and the login codes that bearer clients redeem. In memory for
 * one instance; with REDIS_URL in Redis, so a code issued by one instance is redeemed at another
 * and a state answered at one is refused at every other. While Redis is unreachable each instance
 * uses its own memory (a code then works only where it was issued).
 */
export class OneTimeValues implements OnModuleDestroy {
  private readonly logger = new Logger('OneTimeValues');
  private readonly redis?: SharedStore;
  private readonly local = new Map<string, { value: string; expiresAt: number }>();
  private nextPurge = 0;

  constructor(
    url?: string,
    private readonly now: () => number = Date.now,
  ) {
    if (!url) return;
    this.redis = new SharedStore(
      url,
      'auth:oauth:',
      this.logger,
      'Redis is unreachable: one-time values are kept by this instance only',
    );
  }

  /** True the first time `key` is claimed within `ttlMs`; false for every later claim. */
  async claim(key: string, ttlMs: number): Promise<boolean> {
    const shared = await this.shared((redis) => redis.set(key, '1', 'PX', ttlMs, 'NX'));
    if (shared !== undefined) return shared === 'OK';
    if (this.get(key) !== undefined) return false;
    this.setLocal(key, '1', ttlMs);
    return true;
  }

  /** Keeps `value` under `key` for `ttlMs`, to be taken once. */
  async put(key: string, value: string, ttlMs: number): Promise<void> {
    const shared = await this.shared((redis) => redis.set(key, value, 'PX', ttlMs));
    if (shared === undefined) this.setLocal(key, value, ttlMs);
  }

  /** The value under `key`, removed as it is read: a second take finds nothing. */
  async take(key: string): Promise<string | undefined> {
    const shared = await this.shared((redis) => redis.getdel(key));
    if (shared !== undefined && shared !== null) return shared;
    const value = this.get(key);
    this.local.delete(key);
    return value;
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.close();
  }

  /** Redis's answer, or undefined when there is no Redis or it cannot answer now. */
  private async shared<T>(command: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    return this.redis?.run(command);
  }

  private get(key: string): string | undefined {
    const entry = this.local.get(key);
    return entry && entry.expiresAt > this.now() ? entry.value : undefined;
  }

  private setLocal(key: string, value: string, ttlMs: number): void {
    const now = this.now();
    if (now >= this.nextPurge) {
      this.nextPurge = now + 60_000;
      for (const [k, entry] of this.local) if (entry.expiresAt <= now) this.local.delete(k);
    }
    this.local.set(key, { value, expiresAt: now + ttlMs });
  }
}
