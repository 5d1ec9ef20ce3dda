import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { SealedBox } from '../common/crypto/sealed-box';
import { SharedStore } from '../common/redis/shared-store';
import type { AwsCredentials } from '../cognito/identity-pool.port';

/** Credentials are handed out again until this long before they expire, never closer. */
export const EXPIRY_MARGIN_MS = 5 * 60 * 1000;

/** How many identities one instance remembers credentials for, without Redis. */
const MAX_LOCAL_OWNERS = 10_000;

interface Entry {
  credentials: AwsCredentials;
  /** When the entry stops being handed out (milliseconds since the epoch). */
  staleAt: number;
}

interface SealedCredentials {
  identityId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
}

function isSealedCredentials(value: unknown): value is SealedCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const fields = ['identityId', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'expiration'];
  return fields.every((field) => typeof (value as Record<string, unknown>)[field] === 'string');
}

/**
 * AWS credentials already handed out, per owner (a user's `sub`, or a guest identity) and variant
 * (the role asked for), until 5 minutes before they expire; credentials closer to their expiry
 * than that are never kept. In memory for one instance; with REDIS_URL in Redis, sealed
 * (AES-256-GCM under the app's sealing key, bound to owner and variant), so every instance
 * shares one cache and a purge at one reaches all. While Redis is unreachable nothing is cached:
 * a purge must reach every instance, and a cache only this one holds could outlive it.
 */
export class CredentialsCache implements OnModuleDestroy {
  private readonly logger = new Logger('CredentialsCache');
  private readonly redis?: SharedStore;
  private readonly local = new LRUCache<string, Map<string, Entry>>({ max: MAX_LOCAL_OWNERS });

  constructor(
    private readonly box: SealedBox,
    url?: string,
    private readonly now: () => number = Date.now,
  ) {
    if (!url) return;
    this.redis = new SharedStore(
      url,
      'auth:aws-credentials:',
      this.logger,
      'Redis is unreachable: AWS credentials are not cached meanwhile',
    );
  }

  async get(owner: string, variant: string): Promise<AwsCredentials | undefined> {
    if (!this.redis) {
      const entry = this.local.get(owner)?.get(variant);
      return entry && entry.staleAt > this.now() ? entry.credentials : undefined;
    }
    const sealed = await this.shared((redis) => redis.hget(owner, variant));
    if (!sealed) return undefined;
    const opened = this.box.open(sealed, [owner, variant]);
    if (!opened || !isSealedCredentials(opened.value)) return undefined;
    return { ...opened.value, expiration: new Date(opened.value.expiration) };
  }

  async set(owner: string, variant: string, credentials: AwsCredentials): Promise<void> {
    const staleAt = credentials.expiration.getTime() - EXPIRY_MARGIN_MS;
    const ttlMs = staleAt - this.now();
    if (ttlMs <= 0) return;
    if (!this.redis) {
      const entries = this.local.get(owner) ?? new Map<string, Entry>();
      entries.set(variant, { credentials, staleAt });
      this.local.set(owner, entries);
      return;
    }
    const value: SealedCredentials = {
      ...credentials,
      expiration: credentials.expiration.toISOString(),
    };
    const sealed = this.box.seal(value, Math.floor(ttlMs / 1000), [owner, variant]);
    await this.shared((redis) =>
      redis.multi().hset(owner, variant, sealed).pexpire(owner, ttlMs).exec(),
    );
  }

  /** Forgets every credential of `owner`, on every instance. */
  async purge(owner: string): Promise<void> {
    this.local.delete(owner);
    await this.shared((redis) => redis.del(owner));
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.close();
  }

  private async shared<T>(command: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    return this.redis?.run(command);
  }
}
