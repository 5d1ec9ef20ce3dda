import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { SealedBox } from '../src/common/crypto/sealed-box';
import type { AwsCredentials } from '../src/cognito/identity-pool.port';
import { CredentialsCache } from '../src/identity/credentials-cache';
import { TestRedis } from './support/redis-server';

/** Until the cache's Redis connection is up: before it, nothing is cached. */
async function connected(cache: CredentialsCache): Promise<void> {
  for (let attempt = 0; attempt < 50 && cache['redis']?.ready !== true; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const credentials = (): AwsCredentials => ({
  identityId: 'eu-west-1:0000',
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: `secret-${randomBytes(8).toString('hex')}`,
  sessionToken: `token-${randomBytes(8).toString('hex')}`,
  expiration: new Date(Date.now() + 3600_000),
});

/** Cached AWS credentials shared by two instances through Redis, sealed at rest. */
describe('CredentialsCache on Redis (e2e)', () => {
  const key = randomBytes(32);
  let redis: TestRedis;
  let one: CredentialsCache;
  let two: CredentialsCache;

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    redis = await TestRedis.start();
    one = new CredentialsCache(new SealedBox(key, 'test'), redis.url);
    two = new CredentialsCache(new SealedBox(key, 'test'), redis.url);
    await Promise.all([connected(one), connected(two)]);
  });
  afterAll(async () => {
    await one.onModuleDestroy();
    await two.onModuleDestroy();
    await redis.stop();
    jest.restoreAllMocks();
  });

  it('answers at one instance what another cached, sealed in Redis, and a purge at one reaches both', async () => {
    const cached = credentials();
    await one.set('user:a', 'default', cached);
    expect(await two.get('user:a', 'default')).toEqual(cached);
    // At rest: neither the secret key nor the session token in clear.
    const raw = new Redis(redis.url);
    const stored = JSON.stringify(await raw.hgetall('auth:aws-credentials:user:a'));
    await raw.quit();
    expect(stored).not.toContain(cached.secretAccessKey);
    expect(stored).not.toContain(cached.sessionToken);
    await two.purge('user:a');
    expect(await one.get('user:a', 'default')).toBeUndefined();
  });

  it('caches nothing while Redis is down, and shares again once it is back', async () => {
    await redis.stop();
    await one.set('user:b', 'default', credentials());
    expect(await one.get('user:b', 'default')).toBeUndefined();
    await redis.resume();
    await Promise.all([connected(one), connected(two)]);
    const cached = credentials();
    await one.set('user:b', 'default', cached);
    expect(await two.get('user:b', 'default')).toEqual(cached);
  });
});
