import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { FAIL_FAST_REDIS_OPTIONS } from '../../common/redis/fail-fast-options';
import { parseRevocation, type Revocation, type RevocationStore } from './revocation-store';

const KEY_PREFIX = 'auth:revoked:';
const CHANNEL = 'auth:revocations';

/**
 * Shares revocations between instances through Redis: each one is stored under its own key with a
 * TTL (so an instance that starts later loads it) and published on a channel (so running
 * instances learn of it at once). Redis is never on the request path: the guard reads the local
 * list, and if Redis is down the instance keeps serving with what it knows.
 */
export class RedisRevocationSync implements RevocationStore {
  readonly shared = true;
  private readonly logger = new Logger('RedisRevocationSync');
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private reportedDown = false;
  /** Revocations made while Redis was down, shared once it is back. */
  private readonly pending = new Map<string, Revocation>();

  constructor(
    url: string,
    private readonly onRevocation: (revocation: Revocation) => void,
  ) {
    // A logout must not hang on Redis; the subscriber may queue its SUBSCRIBE until connected.
    this.commands = new Redis(url, FAIL_FAST_REDIS_OPTIONS);
    this.subscriber = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, enableOfflineQueue: true });
    for (const connection of [this.commands, this.subscriber]) {
      connection.on('error', (error: Error) => this.reportDown(error));
    }
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    // After a reconnection, catch up with what was revoked meanwhile.
    this.commands.on('ready', () => {
      if (this.reportedDown) {
        this.reportedDown = false;
        this.logger.log('Redis is reachable again; reloading revocations');
        void this.load()
          .then(() => this.flushPending())
          .catch((error: Error) => this.reportDown(error));
      }
    });
  }

  /** Subscribes and loads every current revocation; resolves even if Redis is down. */
  async start(timeoutMs = 2000): Promise<void> {
    const ready = Promise.all([
      this.subscriber.subscribe(CHANNEL),
      new Promise<void>((resolve, reject) => {
        if (this.commands.status === 'ready') resolve();
        this.commands.once('ready', () => resolve());
        this.commands.once('end', () => reject(new Error('Redis connection ended')));
      }).then(() => this.load()),
    ]);
    try {
      await Promise.race([
        ready,
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          ).unref(),
        ),
      ]);
    } catch (error) {
      this.reportDown(error as Error);
    }
  }

  /** Stores and broadcasts a revocation; while Redis is down it is kept and shared later. */
  async publish(revocation: Revocation): Promise<void> {
    try {
      await this.write(revocation);
    } catch (error) {
      this.pending.set(revocation.id, revocation);
      this.reportDown(error as Error);
      throw error;
    }
  }

  private async write(revocation: Revocation): Promise<void> {
    const { id, expiresAt, before } = revocation;
    const ttl = expiresAt - Math.floor(Date.now() / 1000);
    if (ttl <= 0) return;
    const value = before === undefined ? String(expiresAt) : `${expiresAt}/${before}`;
    await this.commands.set(`${KEY_PREFIX}${id}`, value, 'EX', ttl);
    await this.commands.publish(CHANNEL, JSON.stringify(revocation));
  }

  private async flushPending(): Promise<void> {
    for (const [id, revocation] of [...this.pending]) {
      await this.write(revocation);
      this.pending.delete(id);
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.commands.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  private async load(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.commands.scan(
        cursor,
        'MATCH',
        `${KEY_PREFIX}*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.commands.mget(...keys);
      keys.forEach((key, index) => {
        const [expiresAt, before] = (values[index] ?? '').split('/').map(Number);
        if (Number.isFinite(expiresAt) && (before === undefined || Number.isFinite(before))) {
          this.onRevocation({ id: key.slice(KEY_PREFIX.length), expiresAt, before });
        }
      });
    } while (cursor !== '0');
  }

  private receive(message: string): void {
    const revocation = parseRevocation(message);
    if (revocation) this.onRevocation(revocation);
    else this.logger.warn('Ignored a malformed revocation message');
  }

  private reportDown(error: Error): void {
    if (this.reportedDown) return;
    this.reportedDown = true;
    this.logger.warn(
      `Redis unavailable (${error.message}); revocations are kept in memory meanwhile`,
    );
  }
}
