import { randomBytes } from 'node:crypto';
import { SealedBox } from '../common/crypto/sealed-box';
import type { AwsCredentials } from '../cognito/identity-pool.port';
import { CredentialsCache, EXPIRY_MARGIN_MS } from './credentials-cache';

const box = new SealedBox(randomBytes(32), 'test');

function credentials(expiresInMs: number, now: number): AwsCredentials {
  return {
    identityId: 'eu-west-1:0000',
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 'secret',
    sessionToken: 'token',
    expiration: new Date(now + expiresInMs),
  };
}

describe(CredentialsCache.name, () => {
  let now: number;
  let cache: CredentialsCache;

  beforeEach(() => {
    now = Date.parse('2026-11-30T12:00:00Z');
    cache = new CredentialsCache(box, undefined, () => now);
  });

  it('answers the same credentials until 5 minutes before they expire, then none', async () => {
    const issued = credentials(3600_000, now);
    await cache.set('user:a', 'default', issued);
    await expect(cache.get('user:a', 'default')).resolves.toBe(issued);
    now += 3600_000 - EXPIRY_MARGIN_MS - 1;
    await expect(cache.get('user:a', 'default')).resolves.toBe(issued);
    now += 1;
    await expect(cache.get('user:a', 'default')).resolves.toBeUndefined();
  });

  it('never keeps credentials that expire within the margin (moto’s last 90 s)', async () => {
    await cache.set('user:a', 'default', credentials(90_000, now));
    await expect(cache.get('user:a', 'default')).resolves.toBeUndefined();
  });

  it('keeps each owner’s variants apart, and a purge forgets all of one owner’s', async () => {
    await cache.set('user:a', 'role-1', credentials(3600_000, now));
    await cache.set('user:a', 'role-2', credentials(3600_000, now));
    await cache.set('user:b', 'role-1', credentials(3600_000, now));
    await expect(cache.get('user:a', 'role-3')).resolves.toBeUndefined();
    await cache.purge('user:a');
    await expect(cache.get('user:a', 'role-1')).resolves.toBeUndefined();
    await expect(cache.get('user:a', 'role-2')).resolves.toBeUndefined();
    await expect(cache.get('user:b', 'role-1')).resolves.toBeDefined();
  });
});
