import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { redisConfig } from '../../config';
import type { AuthUser } from '../auth-user';
import { RedisRevocationSync } from './redis-revocation-sync';
import { RevocationList } from './revocation-list';

/**
 * Which access tokens were revoked before their expiry (by logout). The check is an in-memory
 * lookup on every instance; with REDIS_URL every revocation is also stored in Redis and broadcast
 * to the other instances, which load the current list when they start.
 */
@Injectable()
export class RevocationService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RevocationService');
  private readonly list = new RevocationList();
  private readonly sync?: RedisRevocationSync;

  constructor(@Inject(redisConfig.KEY) redis: ConfigType<typeof redisConfig>) {
    if (redis.url) {
      this.sync = new RedisRevocationSync(redis.url, ({ id, expiresAt }) =>
        this.list.add(id, expiresAt),
      );
    }
  }

  async onModuleInit(): Promise<void> {
    await this.sync?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sync?.stop();
  }

  /** Whether the token of `user` (or the session it came from) was revoked. */
  isRevoked(user: Pick<AuthUser, 'tokenId' | 'originTokenId'>): boolean {
    return this.list.has(user.tokenId) || this.list.has(user.originTokenId);
  }

  /** Revokes the token of `user` and its session until the token's expiry, on every instance. */
  async revoke(
    user: Pick<AuthUser, 'tokenId' | 'originTokenId' | 'tokenExpiresAt'>,
  ): Promise<void> {
    this.list.purgeExpired();
    const ids = [user.tokenId, user.originTokenId].filter((id): id is string => Boolean(id));
    for (const id of ids) this.list.add(id, user.tokenExpiresAt);
    if (!this.sync) return;
    try {
      await Promise.all(
        ids.map((id) => this.sync!.publish({ id, expiresAt: user.tokenExpiresAt })),
      );
    } catch (error) {
      // This instance refuses the token already; the others learn of it when Redis is back.
      this.logger.warn(`Revocation not shared yet, Redis is down: ${(error as Error).message}`);
    }
  }

  /** True without Redis; with Redis, whether it answers. */
  async sharedStoreHealthy(): Promise<boolean> {
    return this.sync ? this.sync.ping() : true;
  }

  get usesRedis(): boolean {
    return this.sync !== undefined;
  }
}
