import type { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { FAIL_FAST_REDIS_OPTIONS } from './fail-fast-options';

/**
 * A Redis connection for state that instances share, which never makes a request wait or fail:
 * a command Redis cannot answer now resolves to undefined (the caller falls back to what the
 * instance knows) and is reported once per failure with `warning`.
 */
export class SharedStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    keyPrefix: string,
    private readonly logger: Logger,
    private readonly warning: string,
  ) {
    this.redis = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, keyPrefix });
    this.redis.on('error', () => undefined);
  }

  /** Whether the connection is up now. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  /** Redis's answer, or undefined when it cannot answer now. */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    try {
      return await command(this.redis);
    } catch {
      this.logger.warn(this.warning);
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
