import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash } from 'node:crypto';
import { redisConfig } from '../../config';
import type { AuthUser } from '../auth-user';
import { FileRevocationStore } from './file-revocation-store';
import { RedisRevocationSync } from './redis-revocation-sync';
import { RevocationList, SessionCutoffs } from './revocation-list';
import type { Revocation, RevocationStore } from './revocation-store';

const USER_PREFIX = 'user:';
const REFRESH_PREFIX = 'refresh:';
const CHALLENGE_PREFIX = 'challenge:';
/**
 * How long a session cutoff is kept: as long as a refresh token can live by default (30 days), so
 * an old session cannot be refreshed back to life where Cognito itself does not revoke it.
 */
const SESSION_CUTOFF_SECONDS = 30 * 24 * 3600;

/**
 * Which access tokens were revoked before their expiry (by logout), and which accounts' sessions
 * were ended. The check is an in-memory lookup on every instance. Every revocation is also stored
 * before the answer: with REDIS_URL in Redis, and broadcast to the other instances, which load
 * the current list when they start; without it in a file under STATE_DIR, which this instance
 * loads when it starts again.
 */
@Injectable()
export class RevocationService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RevocationService');
  private readonly list = new RevocationList();
  private readonly cutoffs = new SessionCutoffs();
  private readonly store: RevocationStore;
  private readonly endListeners: ((sub: string) => Promise<void>)[] = [];

  constructor(@Inject(redisConfig.KEY) redis: ConfigType<typeof redisConfig>) {
    const learn = (revocation: Revocation) => this.learn(revocation);
    this.store = redis.url
      ? new RedisRevocationSync(redis.url, learn)
      : new FileRevocationStore(redis.stateDir, learn);
  }

  async onModuleInit(): Promise<void> {
    await this.store.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.stop();
  }

  private learn({ id, expiresAt, before }: Revocation): void {
    if (before === undefined) this.list.add(id, expiresAt);
    else if (id.startsWith(USER_PREFIX)) {
      this.cutoffs.add(id.slice(USER_PREFIX.length), before, expiresAt);
    }
  }

  /**
   * Calls `listener` with the user's `sub` whenever a session of theirs ends here: a logout
   * (`revoke`) or the end of all their sessions (`endSessions`). For what is kept per user and must
   * not outlive a session, such as cached AWS credentials. A failing listener is logged, and never
   * stops the session from ending.
   */
  onSessionEnd(listener: (sub: string) => Promise<void>): void {
    this.endListeners.push(listener);
  }

  private async sessionEnded(sub: string | undefined): Promise<void> {
    if (!sub) return;
    await Promise.all(
      this.endListeners.map((listener) =>
        listener(sub).catch((error: unknown) =>
          this.logger.error(`A session-end listener failed: ${(error as Error).message}`),
        ),
      ),
    );
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
    await this.stored([{ id: `${USER_PREFIX}${sub}`, expiresAt, before }]);
    await this.sessionEnded(sub);
    const wait = (before + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Revokes the token of `user` and its session until the token's expiry, on every instance. */
  async revoke(
    user: Pick<AuthUser, 'tokenId' | 'originTokenId' | 'tokenExpiresAt'> & { sub?: string },
  ): Promise<void> {
    this.list.purgeExpired();
    const ids = [user.tokenId, user.originTokenId].filter((id): id is string => Boolean(id));
    for (const id of ids) this.list.add(id, user.tokenExpiresAt);
    await this.stored(ids.map((id) => ({ id, expiresAt: user.tokenExpiresAt })));
    await this.sessionEnded(user.sub);
  }

  /**
   * Refuses a refresh token here until it would expire anyway, for when Cognito could not revoke
   * it (a logout while Cognito was unreachable). Only its hash is kept.
   */
  async revokeRefreshToken(refreshToken: string): Promise<void> {
    await this.revokeId(
      refreshTokenId(refreshToken),
      Math.floor(Date.now() / 1000) + SESSION_CUTOFF_SECONDS,
    );
  }

  isRefreshTokenRevoked(refreshToken: string): boolean {
    return this.list.size > 0 && this.list.has(refreshTokenId(refreshToken));
  }

  /**
   * A sign-in step's sealed session (its id) was answered: refused from now on, on every instance
   * and after a restart, until it expires anyway (`expiresAtMs`, milliseconds).
   */
  async challengeAnswered(id: string, expiresAtMs: number): Promise<void> {
    await this.revokeId(`${CHALLENGE_PREFIX}${id}`, Math.ceil(expiresAtMs / 1000));
  }

  isChallengeAnswered(id: string): boolean {
    return this.list.size > 0 && this.list.has(`${CHALLENGE_PREFIX}${id}`);
  }

  private async revokeId(id: string, expiresAt: number): Promise<void> {
    this.list.add(id, expiresAt);
    await this.stored([{ id, expiresAt }]);
  }

  /**
   * Writes revocations to the store. This instance refuses the tokens already, whatever happens
   * here: when Redis is down the others learn of them once it is back; when the file cannot be
   * written, a restart would forget them, which the operator must hear of.
   */
  private async stored(revocations: Revocation[]): Promise<void> {
    try {
      await Promise.all(revocations.map((revocation) => this.store.publish(revocation)));
    } catch (error) {
      const reason = (error as Error).message;
      if (this.store.shared) {
        this.logger.warn(`Revocation not shared yet, Redis is down: ${reason}`);
      } else this.logger.error(`Revocation not stored, a restart would forget it: ${reason}`);
    }
  }

  /** Whether the store answers: Redis, or the state file. */
  async storeHealthy(): Promise<boolean> {
    return this.store.ping();
  }

  get usesRedis(): boolean {
    return this.store.shared;
  }
}

function refreshTokenId(refreshToken: string): string {
  return `${REFRESH_PREFIX}${createHash('sha256').update(refreshToken).digest('base64url')}`;
}
