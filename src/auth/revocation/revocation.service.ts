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
import { RevocationList, SessionCutoffs } from './revocation-list';

const USER_PREFIX = 'user:';
/**
 * How long a session cutoff is kept: as long as a refresh token can live by default (30 days), so
 * an old session cannot be refreshed back to life where Cognito itself does not revoke it.
 */
const SESSION_CUTOFF_SECONDS = 30 * 24 * 3600;

/**
 * Which access tokens were revoked before their expiry (by logout). The check is an in-memory
 * lookup on every instance; with REDIS_URL every revocation is also stored in Redis and broadcast
 * to the other instances, which load the current list when they start.
 */
@Injectable()
export class RevocationService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RevocationService');
  private readonly list = new RevocationList();
  private readonly cutoffs = new SessionCutoffs();
  private readonly sync?: RedisRevocationSync;

  constructor(@Inject(redisConfig.KEY) redis: ConfigType<typeof redisConfig>) {
    if (redis.url) {
      this.sync = new RedisRevocationSync(redis.url, ({ id, expiresAt, before }) => {
        if (before === undefined) this.list.add(id, expiresAt);
        else if (id.startsWith(USER_PREFIX)) {
          this.cutoffs.add(id.slice(USER_PREFIX.length), before, expiresAt);
        }
      });
    }
  }

  async onModuleInit(): Promise<void> {
    await this.sync?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sync?.stop();
  }

  /** Whether the token of `user` (or the session it came from, or all the user's sessions) was revoked. */
  isRevoked(
    user: Pick<AuthUser, 'sub' | 'tokenId' | 'originTokenId' | 'authTime' | 'issuedAt'>,
  ): boolean {
    return (
      this.list.has(user.tokenId) ||
      this.list.has(user.originTokenId) ||
      this.cutoffs.ended(user.sub, user.authTime ?? user.issuedAt)
    );
  }

  /**
   * Ends every session of the user signed in until now, on every instance: their access tokens
   * are refused from now on, also after a refresh (sessions are judged by their sign-in time).
   * Sessions that sign in within the current second end too, so this answers only once that
   * second is over: a sign-in made after the answer is never caught by the cutoff.
   */
  async endSessions(sub: string): Promise<void> {
    const before = Math.floor(Date.now() / 1000);
    const expiresAt = before + SESSION_CUTOFF_SECONDS;
    this.cutoffs.add(sub, before, expiresAt);
    if (this.sync) {
      try {
        await this.sync.publish({ id: `${USER_PREFIX}${sub}`, expiresAt, before });
      } catch (error) {
        this.logger.warn(
          `Session cutoff not shared yet, Redis is down: ${(error as Error).message}`,
        );
      }
    }
    const wait = (before + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
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
