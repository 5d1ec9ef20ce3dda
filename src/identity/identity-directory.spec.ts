import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_IDS_FILE, IdentityDirectory } from './identity-directory';

async function started(dir: string, enabled = true): Promise<IdentityDirectory> {
  const directory = new IdentityDirectory(enabled, dir);
  await directory.onModuleInit();
  return directory;
}

describe(IdentityDirectory.name, () => {
  let dir: string;

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'identity-directory-')), 'state');
  });

  it('remembers the first identity of each user across a restart', async () => {
    const first = await started(dir);
    await expect(first.remember('sub-1', 'eu-west-1:a')).resolves.toEqual({
      identityId: 'eu-west-1:a',
      state: 'live',
    });
    // Another id later (GetId of a recreated identity, a mock's new id each time) does not win.
    await expect(first.remember('sub-1', 'eu-west-1:b')).resolves.toMatchObject({
      identityId: 'eu-west-1:a',
    });
    await first.remember('sub-2', 'eu-west-1:c');
    const second = await started(dir);
    await expect(second.get('sub-1')).resolves.toEqual({
      identityId: 'eu-west-1:a',
      state: 'live',
    });
    // Compacted at start: one line per user; private to the process's user.
    expect(readFileSync(join(dir, IDENTITY_IDS_FILE), 'utf8')).toBe(
      '{"sub":"sub-1","identityId":"eu-west-1:a","state":"live"}\n' +
        '{"sub":"sub-2","identityId":"eu-west-1:c","state":"live"}\n',
    );
    expect(statSync(join(dir, IDENTITY_IDS_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('marks a deleted account: pending until its data is deleted, across a restart, and for good', async () => {
    const first = await started(dir);
    await first.remember('sub-1', 'eu-west-1:a');
    await expect(first.beginDeletion('sub-1')).resolves.toBe('eu-west-1:a');
    const second = await started(dir);
    await expect(second.pendingDeletions()).resolves.toEqual([
      { sub: 'sub-1', identityId: 'eu-west-1:a' },
    ]);
    await second.endDeletion('sub-1');
    await expect(second.pendingDeletions()).resolves.toEqual([]);
    // Never live again.
    await second.remember('sub-1', 'eu-west-1:z');
    await expect((await started(dir)).get('sub-1')).resolves.toEqual({
      identityId: 'eu-west-1:a',
      state: 'deleted',
    });
    // An account whose identity was never seen: deleted at once, nothing pending.
    await expect(second.beginDeletion('sub-9')).resolves.toBeUndefined();
    await expect(second.get('sub-9')).resolves.toEqual({ state: 'deleted' });
    await expect(second.pendingDeletions()).resolves.toEqual([]);
  });

  it('skips a broken line (a crash in the middle of an append), with a warning', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const first = await started(dir);
    await first.remember('sub-1', 'eu-west-1:a');
    writeFileSync(
      join(dir, IDENTITY_IDS_FILE),
      '{"sub":"sub-1","identityId":"eu-west-1:a","state":"live"}\n{"sub":',
    );
    await expect((await started(dir)).get('sub-1')).resolves.toMatchObject({
      identityId: 'eu-west-1:a',
    });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Ignored 1 malformed line(s)'));
    warn.mockRestore();
  });

  it('when nothing needs it, remembers nothing and writes no file', async () => {
    const off = await started(dir, false);
    await off.remember('sub-1', 'eu-west-1:a');
    await expect(off.get('sub-1')).resolves.toBeUndefined();
    expect(() => statSync(dir)).toThrow();
  });

  it('a folder it cannot write stops the start with what to do', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'identity-directory-')), 'not-a-folder');
    writeFileSync(file, '');
    await expect(started(file)).rejects.toThrow(
      /make STATE_DIR a writable folder, or set REDIS_URL/,
    );
  });
});
