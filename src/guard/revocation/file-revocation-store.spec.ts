import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileRevocationStore, REVOCATIONS_FILE } from './file-revocation-store';
import { RevocationService } from './revocation.service';
import type { Revocation } from './revocation-store';

const NOW = 1_800_000_000;

describe(FileRevocationStore.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'revocations-')), 'state');
  });

  async function started(now = () => NOW): Promise<Revocation[]> {
    const seen: Revocation[] = [];
    await new FileRevocationStore(dir, (revocation) => seen.push(revocation), now).start();
    return seen;
  }

  it('hands a new instance every revocation an earlier one stored, and drops expired ones', async () => {
    await started();
    const store = new FileRevocationStore(
      dir,
      () => undefined,
      () => NOW,
    );
    await store.publish({ id: 'jti-1', expiresAt: NOW + 60 });
    await store.publish({ id: 'user:sub-1', expiresAt: NOW + 3600, before: NOW - 5 });
    await store.publish({ id: 'jti-old', expiresAt: NOW + 10 });

    expect(await started(() => NOW + 30)).toEqual([
      { id: 'jti-1', expiresAt: NOW + 60 },
      { id: 'user:sub-1', expiresAt: NOW + 3600, before: NOW - 5 },
    ]);
    // The restart rewrote the file without the expired line.
    expect(readFileSync(join(dir, REVOCATIONS_FILE), 'utf8')).not.toContain('jti-old');
  });

  it('keeps its folder 0700 and its file 0600', async () => {
    await started();
    await new FileRevocationStore(dir, () => undefined).publish({ id: 'x', expiresAt: NOW });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, REVOCATIONS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('skips a broken line (a crash mid-append) and keeps the others', async () => {
    await started();
    const file = join(dir, REVOCATIONS_FILE);
    appendFileSync(file, `${JSON.stringify({ id: 'a', expiresAt: NOW + 60 })}\n{"id":"b","exp`);
    expect(await started()).toEqual([{ id: 'a', expiresAt: NOW + 60 }]);
  });

  it('refuses to start with a clear message when the folder cannot be written', async () => {
    const blocker = join(mkdtempSync(join(tmpdir(), 'revocations-')), 'file');
    writeFileSync(blocker, '');
    const store = new FileRevocationStore(join(blocker, 'state'), () => undefined);
    await expect(store.start()).rejects.toThrow(
      /make STATE_DIR a writable folder, or set REDIS_URL/,
    );
  });
});

describe(`${RevocationService.name} without Redis`, () => {
  const service = async (stateDir: string) => {
    const created = new RevocationService({ stateDir });
    await created.onModuleInit();
    return created;
  };
  const token = (sub: string, tokenId: string) => ({
    sub,
    tokenId,
    originTokenId: undefined,
    authTime: Math.floor(Date.now() / 1000) - 10,
    issuedAt: Math.floor(Date.now() / 1000) - 10,
    tokenExpiresAt: Math.floor(Date.now() / 1000) + 3600,
  });

  it('still refuses a logged-out token and an ended session after a restart', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'revocations-'));
    const before = await service(stateDir);
    await before.revoke(token('alice', 'jti-alice'));
    await before.endSessions('bob');
    await before.onApplicationShutdown();

    const after = await service(stateDir);
    expect(after.isRevoked(token('alice', 'jti-alice'))).toBe(true);
    expect(after.isRevoked(token('bob', 'jti-bob'))).toBe(true);
    expect(after.isRevoked(token('carol', 'jti-carol'))).toBe(false);
  });
});
